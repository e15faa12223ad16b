package dev.threadbare.chat.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.core.grammar.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wording of the bot's merge answers: one reply for every conflict of a merge. */
class BotRepliesMergeTest {

  @Test
  void conflictsAreOneReplyWithEachPathAndItsHunks() {
    String reply =
        BotReplies.conflicts(
            List.of(
                new Problem(
                    "a.txt",
                    Problem.MERGE_CONFLICT,
                    "  x\n<<<<<<< main (line 2)\nmain\n=======\nthread\n>>>>>>> thread/1.000100"),
                new Problem(
                    "b.txt",
                    Problem.MERGE_CONFLICT,
                    "removed in the thread but changed on `main`: post it in the thread")));
    assertThat(reply)
        .isEqualTo(
            """
            Not merged: 2 files conflict with `main`. Post the resolved files in this thread, \
            then say `merge` again.
            • `a.txt`
            ```
              x
            <<<<<<< main (line 2)
            main
            =======
            thread
            >>>>>>> thread/1.000100
            ```
            • `b.txt`: removed in the thread but changed on `main`: post it in the thread""");
  }

  @Test
  void aLongConflictIsCut() {
    String hunks = "<<<<<<< main (line 1)\n" + "x\n".repeat(200) + "=======\n>>>>>>> thread/1";
    String reply =
        BotReplies.conflicts(List.of(new Problem("big.txt", Problem.MERGE_CONFLICT, hunks)));
    assertThat(reply.lines().count()).isLessThan(BotReplies.CONFLICT_LINES + 6);
    assertThat(reply).endsWith("more lines of conflicts.");
  }
}

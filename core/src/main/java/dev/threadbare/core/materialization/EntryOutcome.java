package dev.threadbare.core.materialization;

import dev.threadbare.core.grammar.Command;
import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import java.util.List;
import java.util.Objects;

/**
 * What the materializer made of one journal entry, from the one parse of its message: the result
 * the bot answers with, the commit on the message's own branch and the files it changed there, the
 * other branches the entry moved, and the message's commands. Immutable.
 *
 * <p>For a consumer (the bot, CI, deploys): {@link #channel()}, {@link #ts()}, {@link #branches()}
 * (every ref and new commit id), {@link #own()} (the message's own branch: {@code main} for a
 * top-level message, its thread's branch for a reply), and {@link #answerable()}.
 *
 * @param entry the journal entry
 * @param result taken, a code block without a path, refused, or nothing for the tree
 * @param fromBot whether a bot wrote the message (bots' messages are never code and never answered)
 * @param own the commit on the message's own branch, or null when that branch did not move
 * @param branches every branch the entry moved, {@code main} first (a late top-level message also
 *     moves the threads forked after it)
 * @param changes the files the own commit changed, limited to the paths the message defined
 * @param definedPaths the paths the message defines: its files and its {@code rm}/{@code mv} paths
 * @param actions the message's other commands ({@code help}, {@code status}, {@code token}, {@code
 *     deploy}, …), in message order; empty for a refused message
 * @param problems why parts of the message were not taken (for the sender, privately)
 */
public record EntryOutcome(
    JournalEntry entry,
    Result result,
    boolean fromBot,
    BranchUpdate own,
    List<BranchUpdate> branches,
    List<FileChange> changes,
    List<String> definedPaths,
    List<Command.Action> actions,
    List<Problem> problems) {

  /** The bot's answer follows from this (DESIGN.md section 5): ✅, ❓, ❌ or silence. */
  public enum Result {
    /** The change was taken into the history (committed, or superseded by a newer one): ✅. */
    TAKEN,
    /** A code block without a path: ❓ and a private explanation of the grammar. */
    NO_PATH,
    /** The change was refused (a bad path, a too-long block, a binary file): ❌ and the reasons. */
    REFUSED,
    /** The entry changes no file (plain chat, a reaction): no answer. */
    NOTHING
  }

  public EntryOutcome {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(result, "result");
    branches = List.copyOf(branches);
    changes = List.copyOf(changes);
    definedPaths = List.copyOf(definedPaths);
    actions = List.copyOf(actions);
    problems = List.copyOf(problems);
  }

  /**
   * The result DESIGN.md section 5 gives: refused → ❌; a change that defines files, {@code rm} or
   * {@code mv} → ✅ (it is part of the history even when a newer message supersedes it, so that no
   * tree changed); committed → ✅; else a code block without a path → ❓; else nothing.
   */
  public static Result resultOf(
      boolean refused, boolean definesChange, boolean committed, List<Problem> problems) {
    if (refused) {
      return Result.REFUSED;
    } else if (committed || definesChange) {
      return Result.TAKEN;
    } else if (problems.stream().anyMatch(p -> Problem.NO_PATH.equals(p.rule()))) {
      return Result.NO_PATH;
    }
    return Result.NOTHING;
  }

  /** An outcome that changes nothing and asks nothing. */
  public static EntryOutcome nothing(JournalEntry entry, boolean fromBot) {
    return new EntryOutcome(
        entry,
        Result.NOTHING,
        fromBot,
        null,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of());
  }

  /** The channel id. */
  public String channel() {
    return entry.channel();
  }

  /** The message's ts (for a shared file's content: the message it was shared in). */
  public String ts() {
    return entry.ts();
  }

  /** The branch the message's own change landed on, or null. */
  public String branch() {
    return own == null ? null : own.branch();
  }

  /** The new commit on the message's own branch, or null when that branch did not move. */
  public String commit() {
    return own == null ? null : own.after();
  }

  /**
   * Whether the bot answers this entry — given that it happened after the bot's birth (history is
   * not answered): a person's message or shared file that was taken, refused or lacks a path, or
   * that carries a command.
   */
  public boolean answerable() {
    EntryKind kind = entry.kind();
    return !fromBot
        && (kind == EntryKind.MESSAGE || kind == EntryKind.FILE_CONTENT)
        && (result != Result.NOTHING || !actions.isEmpty());
  }
}

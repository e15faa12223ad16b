package dev.threadbare.ci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The run store's contract, the same on SQLite ({@code DIR/ci.db}) and on PostgreSQL (beside a
 * shared journal, embedded PostgreSQL here): identity per channel, branch and commit; the life of a
 * run; what a restart or a takeover requeues; what is reported once; listing and pruning.
 */
class RunStoreContractTest {

  @TempDir static Path dir;

  static Stream<Arguments> engines() {
    Supplier<RunStore> sqlite =
        () -> RunStore.sqlite(dir.resolve("ci-" + System.nanoTime() + ".db"));
    Supplier<RunStore> postgres =
        () -> {
          TestDatabase db = TestPostgres.newDatabase();
          return RunStore.postgres(db.jdbcUrl(), db.user(), db.password());
        };
    return Stream.of(Arguments.of("SQLite", sqlite), Arguments.of("PostgreSQL", postgres));
  }

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static RunStore.NewRun queued(String channel, String ref, String commit) {
    return new RunStore.NewRun(
        channel,
        channel + "-name",
        ref,
        commit,
        "1700000000.000100",
        "make test",
        Duration.ofMinutes(10),
        RunStatus.QUEUED,
        "queued");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void aRunIsRecordedOncePerChannelBranchAndCommit(String engine, Supplier<RunStore> open) {
    try (RunStore store = open.get()) {
      CiRun run = store.insert(queued("C1", "main", "aaaa1111"), T0).orElseThrow();
      assertThat(run.status()).isEqualTo(RunStatus.QUEUED);
      assertThat(run.channelName()).isEqualTo("C1-name");
      assertThat(run.test()).isEqualTo("make test");
      assertThat(run.timeout()).isEqualTo(Duration.ofMinutes(10));
      assertThat(run.queuedAt()).isEqualTo(T0);
      assertThat(run.startedAt()).isNull();
      assertThat(store.insert(queued("C1", "main", "aaaa1111"), T0.plusSeconds(1))).isEmpty();
      // Another branch or channel is another run.
      assertThat(store.insert(queued("C1", "thread/1.0", "aaaa1111"), T0)).isPresent();
      assertThat(store.insert(queued("C2", "main", "aaaa1111"), T0)).isPresent();
      assertThat(store.get(run.id())).contains(run);
      assertThat(store.queued()).hasSize(3);
      assertThat(store.count(RunStatus.QUEUED)).isEqualTo(3);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void aRunStartsOnceEndsOnceAndIsReportedOnce(String engine, Supplier<RunStore> open) {
    try (RunStore store = open.get()) {
      CiRun run = store.insert(queued("C1", "main", "bbbb2222"), T0).orElseThrow();
      assertThat(store.markRunning(run.id(), T0.plusSeconds(1))).isTrue();
      assertThat(store.markRunning(run.id(), T0.plusSeconds(2))).as("started already").isFalse();
      assertThat(store.unreported()).as("not final yet").isEmpty();
      assertThat(store.finish(run.id(), RunStatus.FAILED, "failed: exit 1", T0.plusSeconds(5)))
          .isTrue();
      assertThat(store.finish(run.id(), RunStatus.PASSED, "passed", T0.plusSeconds(6)))
          .as("ended already")
          .isFalse();
      CiRun ended = store.get(run.id()).orElseThrow();
      assertThat(ended.status()).isEqualTo(RunStatus.FAILED);
      assertThat(ended.detail()).isEqualTo("failed: exit 1");
      assertThat(ended.startedAt()).isEqualTo(T0.plusSeconds(1));
      assertThat(ended.finishedAt()).isEqualTo(T0.plusSeconds(5));
      assertThat(store.unreported()).extracting(CiRun::id).containsExactly(run.id());
      store.markReported(run.id());
      assertThat(store.unreported()).isEmpty();
      assertThat(store.get(run.id()).orElseThrow().reported()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void whatWasRunningIsQueuedAgainAndLiveRunsAreThoseOfTheBranch(
      String engine, Supplier<RunStore> open) {
    try (RunStore store = open.get()) {
      CiRun first = store.insert(queued("C1", "main", "c1"), T0).orElseThrow();
      CiRun second = store.insert(queued("C1", "main", "c2"), T0).orElseThrow();
      CiRun other = store.insert(queued("C1", "thread/1.0", "c3"), T0).orElseThrow();
      store.markRunning(first.id(), T0.plusSeconds(1));
      assertThat(store.live("C1", "main", second.id()))
          .extracting(CiRun::id)
          .containsExactly(first.id());
      assertThat(store.requeueRunning()).isEqualTo(1);
      CiRun again = store.get(first.id()).orElseThrow();
      assertThat(again.status()).isEqualTo(RunStatus.QUEUED);
      assertThat(again.startedAt()).isNull();
      assertThat(store.requeueRunning()).isZero();
      assertThat(store.queued())
          .extracting(CiRun::id)
          .containsExactly(first.id(), second.id(), other.id());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void runsAreListedNewestFirstByChannelIdOrNameAndOldLogsArePrunable(
      String engine, Supplier<RunStore> open) {
    try (RunStore store = open.get()) {
      CiRun a = store.insert(queued("C1", "main", "abc1"), T0).orElseThrow();
      CiRun b = store.insert(queued("C1", "main", "abc2"), T0).orElseThrow();
      CiRun c = store.insert(queued("C1", "thread/1.0", "def3"), T0).orElseThrow();
      for (CiRun run : java.util.List.of(a, b, c)) {
        store.markRunning(run.id(), T0);
        store.finish(run.id(), RunStatus.PASSED, "passed", T0.plusSeconds(run.id()));
      }
      assertThat(store.list("C1", null, 10))
          .extracting(CiRun::id)
          .containsExactly(c.id(), b.id(), a.id());
      assertThat(store.list("C1-name", "main", 10))
          .extracting(CiRun::id)
          .containsExactly(b.id(), a.id());
      assertThat(store.list("C1", null, 1)).hasSize(1);
      assertThat(store.ofCommit("C1", "abc")).extracting(CiRun::id).containsExactly(b.id(), a.id());
      assertThat(store.prunable(T0.plus(Duration.ofDays(1)), 1)).containsExactly(a.id());
      assertThat(store.prunable(T0, 0)).isEmpty();
    }
  }
}

package dev.threadbare.prod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.deploy.DeploymentDatabases;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The prod record on SQLite and on embedded PostgreSQL: the same states, chain and crash rule. */
class ProdStoreTest {

  @TempDir Path dir;

  Supplier<ProdStore> opener(String engine) {
    if (engine.equals("sqlite")) {
      Path file = dir.resolve("prod.db");
      return () -> ProdStore.sqlite(file);
    }
    TestDatabase db = TestPostgres.newDatabase();
    return () -> ProdStore.postgres(db.jdbcUrl(), db.user(), db.password());
  }

  static ProdEvent begin(ProdStore store, ProdEvent.Action action, String commit, String previous) {
    return store.begin(
        "C1",
        action,
        commit,
        UUID.randomUUID(),
        "U1",
        Instant.parse("2026-12-07T10:00:00Z"),
        List.of("U2", "U3"),
        7L,
        previous);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void recordsStepsRollbackChainAndAbandonsWhatACrashLeftPending(String engine) {
    Supplier<ProdStore> open = opener(engine);
    try (ProdStore store = open.get()) {
      assertThat(store.current("C1")).isEmpty();
      store.complete(begin(store, ProdEvent.Action.PROMOTE, "a1", null).id());
      store.complete(begin(store, ProdEvent.Action.PROMOTE, "b2", "a1").id());
      ProdEvent failed = begin(store, ProdEvent.Action.PROMOTE, "c3", "b2");
      store.fail(failed.id(), "did not listen");
      assertThatThrownBy(() -> store.complete(failed.id()))
          .isInstanceOf(ProdException.class)
          .hasMessageContaining("is not pending");
      assertThat(store.current("C1").orElseThrow().commit()).isEqualTo("b2");
      assertThat(store.rollbackTarget("C1")).contains("a1");
      assertThat(store.current("C1").orElseThrow().approvals()).containsExactly("U2", "U3");
      assertThat(store.current("C1").orElseThrow().ciRun()).isEqualTo(7L);
      store.saveLogin("C1", "b2", new DeploymentDatabases.Login("u", "p"));
      // crash: a promotion left pending
      begin(store, ProdEvent.Action.PROMOTE, "d4", "b2");
    }
    try (ProdStore store = open.get()) {
      assertThat(store.current("C1").orElseThrow().commit()).isEqualTo("b2");
      assertThat(store.history("C1"))
          .extracting(e -> e.commit() + " " + e.status().label())
          .containsExactly("d4 abandoned", "c3 failed", "b2 done", "a1 done");
      assertThat(store.history("C1").get(0).detail()).contains("server stopped");
      assertThat(store.login("C1", "b2")).contains(new DeploymentDatabases.Login("u", "p"));
      assertThat(store.login("C1", "a1")).isEmpty();
      assertThat(store.channels()).containsExactly("C1");
    }
  }
}

package dev.threadbare.pgwire;

import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import dev.threadbare.db.ScramCredential;
import dev.threadbare.db.SqlService;
import dev.threadbare.db.SqlSession;
import dev.threadbare.db.StatementDescription;
import dev.threadbare.db.StatementResult;
import dev.threadbare.db.TransactionStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The real db layer ({@link DbLayer} on DuckDB, in a temporary directory of its own) behind the
 * wire server in tests, with credentials for the database {@code app}. {@link #service()} is the
 * layer itself, seen through a counter of the implicit blocks the wire server opens (what a test of
 * the extended protocol's batching asserts); every call reaches the layer unchanged.
 */
final class InProcessLayer implements AutoCloseable {
  private final Path dir;
  private final DbLayer layer;
  private final AtomicInteger implicitBlocks = new AtomicInteger();
  private final Credentials app;

  InProcessLayer() {
    try {
      dir = Files.createTempDirectory("tb-pgwire-layer");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    layer = DbLayer.duckDb(dir, DbOptions.defaults());
    app = layer.addCredentials("app", "v1");
  }

  /** The credentials of the database {@code app} (version v1). */
  Credentials app() {
    return app;
  }

  /** Further credentials, for another version of {@code app} or another database. */
  Credentials addCredentials(String database, String version) {
    return layer.addCredentials(database, version);
  }

  /** How many implicit blocks ({@link SqlSession#beginImplicit}) sessions have opened. */
  int implicitBlocksOpened() {
    return implicitBlocks.get();
  }

  /** The layer, as the wire server sees it. */
  SqlService service() {
    return new SqlService() {
      @Override
      public Optional<ScramCredential> scramCredential(String user) {
        return layer.scramCredential(user);
      }

      @Override
      public SqlSession open(String user, String database) {
        return new CountingSession(layer.open(user, database));
      }

      @Override
      public Optional<String> serverVersion() {
        return layer.serverVersion();
      }
    };
  }

  private final class CountingSession implements SqlSession {
    private final SqlSession session;

    CountingSession(SqlSession session) {
      this.session = session;
    }

    @Override
    public List<StatementResult> execute(String sql, List<Object> params) {
      return session.execute(sql, params);
    }

    @Override
    public void beginImplicit() {
      if (session.transactionStatus() == TransactionStatus.IDLE) {
        implicitBlocks.incrementAndGet();
      }
      session.beginImplicit();
    }

    @Override
    public void endImplicit(boolean commit) {
      session.endImplicit(commit);
    }

    @Override
    public void failTransaction() {
      session.failTransaction();
    }

    @Override
    public StatementDescription describe(String sql) {
      return session.describe(sql);
    }

    @Override
    public void cancel() {
      session.cancel();
    }

    @Override
    public TransactionStatus transactionStatus() {
      return session.transactionStatus();
    }

    @Override
    public void close() {
      session.close();
    }
  }

  @Override
  public void close() {
    layer.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

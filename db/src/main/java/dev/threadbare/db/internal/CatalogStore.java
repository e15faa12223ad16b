package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.ScramCredential;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The layer's own catalog: logical databases, credentials (SCRAM verifiers and hashed bearer
 * tokens), columns and who created them, columns read before they existed, usage per version, and
 * the automatic indexes. SQLite ({@code DIR/catalog.sqlite}) beside DuckDB, the schema {@code
 * threadbare_catalog} on PostgreSQL; the same portable SQL on both. Thread safe: one connection,
 * every method synchronized.
 */
public final class CatalogStore implements AutoCloseable {
  private final Connection connection;
  private final String prefix;

  /** A stored credential. */
  public record CredentialRow(
      String user, String database, String version, ScramCredential scram, long createdAt) {}

  /** A column the layer knows, with the version that created it. */
  public record ColumnRow(
      String table, String column, String type, String createdBy, long createdAt) {}

  /** A column a version read before any version wrote it. */
  public record RequestedRow(String table, String column, String version, long firstAt) {}

  /** One usage record. */
  public record UsageRow(
      String version, String table, String column, String kind, long firstAt, long lastAt) {}

  /** One automatic index, live or dropped. */
  public record IndexRow(
      String name,
      String table,
      String column,
      String reason,
      long createdAt,
      long lastUsedAt,
      Long droppedAt,
      String dropReason) {}

  public CatalogStore(Connection connection, boolean sqlite) {
    this.connection = connection;
    this.prefix = sqlite ? "tb_" : "threadbare_catalog.";
    try (Statement s = connection.createStatement()) {
      if (sqlite) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA busy_timeout=5000");
        // WAL with NORMAL survives a crash of the process; only a power loss may lose the last
        // usage batch, never corrupt the catalog
        s.execute("PRAGMA synchronous=NORMAL");
      } else {
        s.execute("CREATE SCHEMA IF NOT EXISTS threadbare_catalog");
      }
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + t("databases")
              + " (name TEXT PRIMARY KEY, created_at BIGINT NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + t("credentials")
              + " (user_name TEXT PRIMARY KEY, database_name TEXT NOT NULL, version TEXT NOT NULL,"
              + " salt TEXT NOT NULL, iterations INTEGER NOT NULL, stored_key TEXT NOT NULL,"
              + " server_key TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,"
              + " created_at BIGINT NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + t("columns")
              + " (database_name TEXT NOT NULL, table_name TEXT NOT NULL, column_name TEXT NOT"
              + " NULL, type_name TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT"
              + " NULL, PRIMARY KEY (database_name, table_name, column_name))");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + t("requested")
              + " (database_name TEXT NOT NULL, table_name TEXT NOT NULL, column_name TEXT NOT"
              + " NULL, version TEXT NOT NULL, first_at BIGINT NOT NULL,"
              + " PRIMARY KEY (database_name, table_name, column_name, version))");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + t("usage")
              + " (database_name TEXT NOT NULL, version TEXT NOT NULL, table_name TEXT NOT NULL,"
              + " column_name TEXT NOT NULL, kind TEXT NOT NULL, first_at BIGINT NOT NULL,"
              + " last_at BIGINT NOT NULL,"
              + " PRIMARY KEY (database_name, version, table_name, column_name, kind))");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + t("indexes")
              + " (database_name TEXT NOT NULL, index_name TEXT NOT NULL, table_name TEXT NOT"
              + " NULL, column_name TEXT NOT NULL, reason TEXT NOT NULL, created_at BIGINT NOT"
              + " NULL, last_used_at BIGINT NOT NULL, dropped_at BIGINT, drop_reason TEXT,"
              + " PRIMARY KEY (database_name, index_name, created_at))");
    } catch (SQLException e) {
      throw Errors.internal("cannot create the db layer's catalog", e);
    }
  }

  private String t(String table) {
    return prefix + table;
  }

  private static DbException failed(String what, SQLException e) {
    return Errors.internal("catalog: " + what, e);
  }

  public synchronized void addDatabase(String name, long now) {
    try (PreparedStatement p =
        connection.prepareStatement(
            "INSERT INTO "
                + t("databases")
                + " (name, created_at) VALUES (?, ?)"
                + " ON CONFLICT (name) DO NOTHING")) {
      p.setString(1, name);
      p.setLong(2, now);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("add database " + name, e);
    }
  }

  public synchronized boolean databaseExists(String name) {
    try (PreparedStatement p =
        connection.prepareStatement("SELECT 1 FROM " + t("databases") + " WHERE name = ?")) {
      p.setString(1, name);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw failed("look up database " + name, e);
    }
  }

  public synchronized List<String> databases() {
    List<String> out = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM " + t("databases") + " ORDER BY name")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw failed("list databases", e);
    }
  }

  public synchronized void addCredential(
      String database, String version, ScramCredential scram, String tokenHash, long now) {
    Base64.Encoder b64 = Base64.getEncoder();
    try (PreparedStatement p =
        connection.prepareStatement(
            "INSERT INTO "
                + t("credentials")
                + " (user_name, database_name, version, salt, iterations, stored_key, server_key,"
                + " token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      p.setString(1, scram.user());
      p.setString(2, database);
      p.setString(3, version);
      p.setString(4, b64.encodeToString(scram.salt()));
      p.setInt(5, scram.iterations());
      p.setString(6, b64.encodeToString(scram.storedKey()));
      p.setString(7, b64.encodeToString(scram.serverKey()));
      p.setString(8, tokenHash);
      p.setLong(9, now);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("add credentials for " + database + "/" + version, e);
    }
  }

  public synchronized Optional<CredentialRow> credentialByUser(String user) {
    return credential("user_name", user);
  }

  public synchronized Optional<CredentialRow> credentialByTokenHash(String tokenHash) {
    return credential("token_hash", tokenHash);
  }

  private Optional<CredentialRow> credential(String column, String value) {
    try (PreparedStatement p =
        connection.prepareStatement(
            "SELECT user_name, database_name, version, salt, iterations, stored_key, server_key,"
                + " created_at FROM "
                + t("credentials")
                + " WHERE "
                + column
                + " = ?")) {
      p.setString(1, value);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Base64.Decoder d = Base64.getDecoder();
        ScramCredential scram =
            new ScramCredential(
                rs.getString(1),
                d.decode(rs.getString(4)),
                rs.getInt(5),
                d.decode(rs.getString(6)),
                d.decode(rs.getString(7)));
        return Optional.of(
            new CredentialRow(
                rs.getString(1), rs.getString(2), rs.getString(3), scram, rs.getLong(8)));
      }
    } catch (SQLException e) {
      throw failed("look up credentials", e);
    }
  }

  public synchronized void recordColumn(
      String database, String table, String column, String type, String createdBy, long now) {
    try (PreparedStatement p =
        connection.prepareStatement(
            "INSERT INTO "
                + t("columns")
                + " (database_name, table_name, column_name, type_name, created_by, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (database_name, table_name, column_name) DO NOTHING")) {
      p.setString(1, database);
      p.setString(2, table);
      p.setString(3, column);
      p.setString(4, type);
      p.setString(5, createdBy);
      p.setLong(6, now);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("record column " + table + "." + column, e);
    }
  }

  /** Records the type a column was altered to (its creator stays). */
  public synchronized void updateColumnType(
      String database, String table, String column, String type) {
    try (PreparedStatement p =
        connection.prepareStatement(
            "UPDATE "
                + t("columns")
                + " SET type_name = ? WHERE database_name = ? AND table_name = ? AND column_name = ?")) {
      p.setString(1, type);
      p.setString(2, database);
      p.setString(3, table);
      p.setString(4, column);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("record the type of column " + table + "." + column, e);
    }
  }

  public synchronized List<ColumnRow> columns(String database) {
    List<ColumnRow> out = new ArrayList<>();
    try (PreparedStatement p =
        connection.prepareStatement(
            "SELECT table_name, column_name, type_name, created_by, created_at FROM "
                + t("columns")
                + " WHERE database_name = ? ORDER BY table_name, created_at, column_name")) {
      p.setString(1, database);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(
              new ColumnRow(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failed("list columns of " + database, e);
    }
  }

  public synchronized void recordRequested(
      String database, String table, String column, String version, long now) {
    try (PreparedStatement p =
        connection.prepareStatement(
            "INSERT INTO "
                + t("requested")
                + " (database_name, table_name, column_name, version, first_at)"
                + " VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (database_name, table_name, column_name, version) DO NOTHING")) {
      p.setString(1, database);
      p.setString(2, table);
      p.setString(3, column);
      p.setString(4, version);
      p.setLong(5, now);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("record requested column " + table + "." + column, e);
    }
  }

  public synchronized List<RequestedRow> requested(String database) {
    List<RequestedRow> out = new ArrayList<>();
    try (PreparedStatement p =
        connection.prepareStatement(
            "SELECT table_name, column_name, version, first_at FROM "
                + t("requested")
                + " WHERE database_name = ? ORDER BY table_name, column_name, version")) {
      p.setString(1, database);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(
              new RequestedRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failed("list requested columns of " + database, e);
    }
  }

  /** Adds a batch of usage, keeping the earliest first use and the latest last use. */
  public synchronized void recordUsage(String database, Collection<UsageRow> rows) {
    if (rows.isEmpty()) {
      return;
    }
    try {
      boolean auto = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try (PreparedStatement p =
          connection.prepareStatement(
              "INSERT INTO "
                  + t("usage")
                  + " AS u (database_name, version, table_name, column_name, kind, first_at,"
                  + " last_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                  + " ON CONFLICT (database_name, version, table_name, column_name, kind)"
                  + " DO UPDATE SET"
                  + " first_at = CASE WHEN excluded.first_at < u.first_at"
                  + " THEN excluded.first_at ELSE u.first_at END,"
                  + " last_at = CASE WHEN excluded.last_at > u.last_at"
                  + " THEN excluded.last_at ELSE u.last_at END")) {
        for (UsageRow row : rows) {
          p.setString(1, database);
          p.setString(2, row.version());
          p.setString(3, row.table());
          p.setString(4, row.column());
          p.setString(5, row.kind());
          p.setLong(6, row.firstAt());
          p.setLong(7, row.lastAt());
          p.addBatch();
        }
        p.executeBatch();
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw failed("record usage of " + database, e);
    }
  }

  public synchronized List<UsageRow> usage(String database) {
    List<UsageRow> out = new ArrayList<>();
    try (PreparedStatement p =
        connection.prepareStatement(
            "SELECT version, table_name, column_name, kind, first_at, last_at FROM "
                + t("usage")
                + " WHERE database_name = ? ORDER BY table_name, column_name, version, kind")) {
      p.setString(1, database);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(
              new UsageRow(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5),
                  rs.getLong(6)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failed("list usage of " + database, e);
    }
  }

  public synchronized void addIndex(
      String database, String name, String table, String column, String reason, long now) {
    try (PreparedStatement p =
        connection.prepareStatement(
            "INSERT INTO "
                + t("indexes")
                + " (database_name, index_name, table_name, column_name, reason, created_at,"
                + " last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      p.setString(1, database);
      p.setString(2, name);
      p.setString(3, table);
      p.setString(4, column);
      p.setString(5, reason);
      p.setLong(6, now);
      p.setLong(7, now);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("record index " + name, e);
    }
  }

  public synchronized void indexUsed(String database, String name, long at) {
    try (PreparedStatement p =
        connection.prepareStatement(
            "UPDATE "
                + t("indexes")
                + " SET last_used_at = ? WHERE database_name = ? AND index_name = ?"
                + " AND dropped_at IS NULL AND last_used_at < ?")) {
      p.setLong(1, at);
      p.setString(2, database);
      p.setString(3, name);
      p.setLong(4, at);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("record use of index " + name, e);
    }
  }

  public synchronized void indexDropped(String database, String name, long at, String reason) {
    try (PreparedStatement p =
        connection.prepareStatement(
            "UPDATE "
                + t("indexes")
                + " SET dropped_at = ?, drop_reason = ? WHERE database_name = ? AND index_name = ?"
                + " AND dropped_at IS NULL")) {
      p.setLong(1, at);
      p.setString(2, reason);
      p.setString(3, database);
      p.setString(4, name);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("record drop of index " + name, e);
    }
  }

  public synchronized List<IndexRow> indexes(String database) {
    List<IndexRow> out = new ArrayList<>();
    try (PreparedStatement p =
        connection.prepareStatement(
            "SELECT index_name, table_name, column_name, reason, created_at, last_used_at,"
                + " dropped_at, drop_reason FROM "
                + t("indexes")
                + " WHERE database_name = ? ORDER BY created_at, index_name")) {
      p.setString(1, database);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          long dropped = rs.getLong(7);
          Long droppedAt = rs.wasNull() ? null : dropped;
          out.add(
              new IndexRow(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  droppedAt,
                  rs.getString(8)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failed("list indexes of " + database, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // closing at shutdown: nothing left to do with the error
    }
  }
}

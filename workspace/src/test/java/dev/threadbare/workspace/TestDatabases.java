package dev.threadbare.workspace;

import dev.threadbare.testing.TestPostgres;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.sqlite.SQLiteDataSource;

/**
 * Databases for tests: a fresh SQLite file, or a fresh database on the one embedded PostgreSQL of
 * this JVM ({@link TestPostgres}).
 */
public final class TestDatabases {

  private TestDatabases() {}

  /** A SQLite data source on {@code dir/name.db}. */
  public static DataSource sqlite(Path dir, String name) {
    SQLiteDataSource source = new SQLiteDataSource();
    source.setUrl("jdbc:sqlite:" + dir.resolve(name + ".db").toAbsolutePath());
    return source;
  }

  /** A new, empty PostgreSQL database. */
  public static DataSource postgres() {
    return TestPostgres.newDatabase().dataSource();
  }
}

package dev.threadbare.journal;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** Brings a journal database's schema up to date with Flyway. Stateless. */
final class Migrations {

  /** Flyway's history table, named for the journal so other modules may share the database. */
  static final String HISTORY_TABLE = "journal_schema_history";

  private Migrations() {}

  /**
   * Applies the pending migrations of {@code db/migration/<dialect>}; safe to run concurrently from
   * several nodes on PostgreSQL (Flyway locks the history table).
   */
  static void migrate(DataSource dataSource, String dialect, String description) {
    try {
      Flyway.configure(Migrations.class.getClassLoader())
          .dataSource(dataSource)
          .locations("classpath:db/migration/" + dialect)
          .table(HISTORY_TABLE)
          .loggers("slf4j")
          .failOnMissingLocations(true)
          // A PostgreSQL database shared with other modules already holds their tables.
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new JournalStorageException(
          description + ": cannot migrate the journal schema: " + e.getMessage(), e);
    }
  }
}

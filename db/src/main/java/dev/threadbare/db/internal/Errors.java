package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.HouseRuleException;
import dev.threadbare.db.SqlState;
import java.util.Collection;

/**
 * The catalog of every error a db user reads, with its SQLSTATE: one place to keep the wording and
 * the codes consistent across the wire server, HTTP and the CLI. Stateless.
 */
public final class Errors {
  private Errors() {}

  public static final String FEATURE_NOT_SUPPORTED = SqlState.FEATURE_NOT_SUPPORTED;

  public static DbException statementTooLong(int length, int max) {
    return new DbException(
        SqlState.PROGRAM_LIMIT_EXCEEDED,
        "statement of "
            + length
            + " characters is longer than the limit of "
            + max
            + ": send smaller statements (bulk data belongs in several INSERTs)",
        "split the script or the INSERT into batches under " + max + " characters",
        null);
  }

  public static DbException syntax(String detail, int line, int column, int position, String sql) {
    return new DbException(
        SqlState.SYNTAX_ERROR,
        "syntax error at line "
            + line
            + ", column "
            + column
            + " (position "
            + position
            + ")"
            + (detail.isEmpty() ? "" : " near " + detail)
            + " in: "
            + SqlText.excerpt(sql, 200),
        "check the SQL near position " + position,
        null);
  }

  public static HouseRuleException selectStar(String what, String sql) {
    return new HouseRuleException(
        FEATURE_NOT_SUPPORTED,
        "no-select-star",
        what
            + " is refused by the house rule no-select-star: name the columns you read, in: "
            + SqlText.excerpt(sql, 200),
        "list the columns, e.g. SELECT id, name FROM …; the layer tracks who reads which column");
  }

  public static HouseRuleException namesArePermanent(String what, String sql) {
    return new HouseRuleException(
        FEATURE_NOT_SUPPORTED,
        "names-are-permanent",
        what
            + " is refused by the house rule names-are-permanent: nothing is dropped or renamed"
            + " (write both, read either), in: "
            + SqlText.excerpt(sql, 200),
        "to rename, write the new name alongside the old and read either; unused columns are"
            + " reported by the GC report");
  }

  public static HouseRuleException narrowing(
      String table, String column, ColumnType from, String to, String sql) {
    return new HouseRuleException(
        FEATURE_NOT_SUPPORTED,
        "no-narrowing",
        "ALTER COLUMN "
            + table
            + "."
            + column
            + " TYPE "
            + to
            + " would narrow it from "
            + from.displayName()
            + " and is refused by the house rule no-narrowing: deployed versions may still"
            + " write values that do not fit, in: "
            + SqlText.excerpt(sql, 200),
        "only widening changes are accepted (integer → bigint → numeric, anything → text); write"
            + " a new column instead");
  }

  /**
   * An unqualified column that no table of a several-table statement has: the layer cannot tell
   * which table it means, so it can neither answer NULLs for it nor record it.
   */
  public static HouseRuleException unqualifiedUnknownColumn(
      String column, java.util.List<String> tables, String sql) {
    java.util.List<String> qualified = new java.util.ArrayList<>();
    for (String table : tables) {
      qualified.add(Planner.quoteIfNeeded(table) + "." + Planner.quoteIfNeeded(column));
    }
    String choices = String.join(" or ", qualified);
    return new HouseRuleException(
        SqlState.UNDEFINED_COLUMN,
        "qualify-unknown-columns",
        "column "
            + column
            + " does not exist in any of the tables "
            + String.join(", ", tables)
            + " of this statement, and with several tables the layer cannot tell which one it"
            + " belongs to (house rule qualify-unknown-columns), in: "
            + SqlText.excerpt(sql, 200),
        "qualify it: "
            + choices
            + " — the layer then answers NULLs and records the column on that table");
  }

  public static DbException duckDbAlterAfterChange(
      String table, String what, String sql, boolean script) {
    return new DbException(
        FEATURE_NOT_SUPPORTED,
        "on DuckDB a transaction cannot "
            + what
            + " after updating or deleting rows of "
            + table
            + (script
                ? " (a script of several statements, or a batch of statements sent before one"
                    + " Sync, runs as one transaction)"
                : "")
            + ": DuckDB would refuse to commit it, in: "
            + SqlText.excerpt(sql, 200),
        "introduce the new column before the UPDATE or DELETE of "
            + table
            + " (or write it in an earlier, separate query)",
        null);
  }

  public static DbException incompatibleValue(
      String table, String column, ColumnType type, String value) {
    return new DbException(
        SqlState.DATATYPE_MISMATCH,
        "column "
            + table
            + "."
            + column
            + " is "
            + type.displayName()
            + " but the value "
            + value
            + " does not fit it: a column keeps the type of the first value written to it",
        "write a value of type " + type.displayName() + ", or write to a new column",
        null);
  }

  /** The engine answered a value the layer cannot read as the column's type (a layer bug). */
  public static DbException unreadableValue(ColumnType type, Object raw) {
    return new DbException(
        SqlState.INTERNAL_ERROR,
        "cannot read a value of type "
            + type.displayName()
            + " from the engine: it answered "
            + (raw == null ? "null" : raw.getClass().getName()),
        null,
        null);
  }

  public static DbException cannotInferType(String table, String column, String expression) {
    return new DbException(
        SqlState.INDETERMINATE_DATATYPE,
        "cannot tell the type of the new column "
            + table
            + "."
            + column
            + " from the expression "
            + expression
            + ": a new column takes the type of a literal or a parameter",
        "write a literal, a parameter or CAST(… AS type) for the first value of a new column",
        null);
  }

  public static DbException unknownTableForInsert(String table, String sql) {
    return new DbException(
        SqlState.UNDEFINED_TABLE,
        "table "
            + table
            + " does not exist and the INSERT names no columns, so it cannot be created: "
            + SqlText.excerpt(sql, 200),
        "name the columns: INSERT INTO " + table + " (a, b) VALUES (…)",
        null);
  }

  public static DbException setNotNullHasNulls(String table, String column, long nulls) {
    return new DbException(
        SqlState.NOT_NULL_VIOLATION,
        "cannot SET NOT NULL on " + table + "." + column + ": " + nulls + " row(s) hold NULL in it",
        "fill the column first, e.g. UPDATE " + table + " SET " + column + " = … WHERE …",
        null);
  }

  public static DbException setNotNullVersionsInTheWay(
      String table, String column, Collection<String> versions) {
    return new DbException(
        SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
        "cannot SET NOT NULL on "
            + table
            + "."
            + column
            + ": these versions wrote "
            + table
            + " in the retention period without supplying "
            + column
            + ": "
            + String.join(", ", versions),
        "deploy versions that write " + column + " and wait until the others age out",
        null);
  }

  public static DbException previewFull(String database, long size, long limit) {
    return new DbException(
        SqlState.DISK_FULL,
        "preview database "
            + database
            + " would pass its size limit of "
            + limit
            + " bytes (it holds "
            + size
            + " bytes): the write was refused and nothing stored was lost",
        "raise [db] preview_limit in threadbare.toml or write less data to previews",
        null);
  }

  public static DbException failedTransaction() {
    return new DbException(
        SqlState.IN_FAILED_SQL_TRANSACTION,
        "current transaction is aborted, commands ignored until end of transaction block",
        "send ROLLBACK",
        null);
  }

  public static DbException parseTimeout(java.time.Duration limit, String sql) {
    return new DbException(
        SqlState.STATEMENT_TOO_COMPLEX,
        "statement too complex: parsing it took longer than the limit of "
            + limit.toMillis()
            + " ms (DbOptions.parseTimeout), in: "
            + SqlText.excerpt(sql, 200),
        "simplify the statement (fewer nested parentheses or subqueries), or check it for a"
            + " syntax error",
        null);
  }

  public static DbException statementTimeout(java.time.Duration limit) {
    return new DbException(
        SqlState.QUERY_CANCELED,
        "canceling statement due to statement timeout: it ran longer than the limit of "
            + limit.toMillis()
            + " ms (DbOptions.statementTimeout)",
        "make the statement cheaper (the layer indexes filtered columns), or split the work",
        null);
  }

  public static DbException canceled() {
    return new DbException(SqlState.QUERY_CANCELED, "canceling statement due to user request");
  }

  public static DbException unknownUser(String user) {
    return new DbException(
        SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
        "no credentials for user " + user + ": use the DATABASE_URL given to the deployment",
        null,
        null);
  }

  public static DbException wrongDatabase(String user, String database) {
    return new DbException(
        SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
        "user "
            + user
            + " may not connect to database "
            + database
            + ": a deployment's credentials reach only its own database",
        null,
        null);
  }

  public static DbException noSuchDatabase(String database) {
    return new DbException(
        SqlState.INVALID_CATALOG_NAME,
        "database " + database + " does not exist: it is created with its first credentials",
        null,
        null);
  }

  public static DbException badDatabaseName(String database) {
    return new DbException(
        SqlState.INVALID_CATALOG_NAME,
        "database name "
            + database
            + " is not valid: use 1 to 60 characters of a-z, 0-9, _ and -, starting with a"
            + " letter or digit",
        null,
        null);
  }

  public static DbException tooManyParameters(int wanted, int given) {
    return new DbException(
        SqlState.PROTOCOL_VIOLATION,
        "the statement uses parameter $" + wanted + " but only " + given + " were given",
        null,
        null);
  }

  public static DbException internal(String what, Throwable cause) {
    return new DbException(SqlState.INTERNAL_ERROR, what + ": " + cause.getMessage(), null, cause);
  }

  /**
   * A statement that would reach past its own database (host files, instance settings, other
   * databases, extensions, code the layer never sees): refused by {@code rule} of {@link
   * IsolationRules}.
   */
  public static HouseRuleException isolation(String rule, String what, String sql, String hint) {
    String why =
        switch (rule) {
          case "no-host-files" -> "a database reaches no file of the host";
          case "no-instance-settings" ->
              "settings that outlive the session or reach other databases are the operator's";
          case "own-database-only" -> "a credential reaches its own database and nothing else";
          case "no-extensions" -> "extensions are chosen by the operator, not by a database";
          case "no-procedures" -> "the layer must see every statement it runs";
          default -> "a credential reaches its own database and nothing else";
        };
    return new HouseRuleException(
        SqlState.INSUFFICIENT_PRIVILEGE,
        rule,
        what
            + " is refused by the house rule "
            + rule
            + ": "
            + why
            + ", in: "
            + SqlText.excerpt(sql, 200),
        hint != null ? hint : "see the isolation rules in db/README.md");
  }

  /** An engine's own error, with its SQLSTATE, naming the statement. */
  public static DbException engine(
      String sqlState, String message, String hint, String sql, Throwable cause) {
    return new DbException(
        sqlState, message + " (in: " + SqlText.excerpt(sql, 200) + ")", hint, cause);
  }

  public static DbException badVersion(String version) {
    return new DbException(
        SqlState.INVALID_PARAMETER_VALUE,
        "version '" + version + "' must be 1 to 200 characters (a commit id)");
  }

  public static DbException savepointOutsideBlock(String sql) {
    return new DbException(
        SqlState.NO_ACTIVE_SQL_TRANSACTION,
        SqlText.firstWord(sql)
            + " can only be used in transaction blocks (an implicit transaction, a script's or"
            + " a batch's before Sync, is not one), in: "
            + SqlText.excerpt(sql, 200),
        "start the script with BEGIN and end it with COMMIT",
        null);
  }

  public static DbException sessionClosed() {
    return new DbException(
        SqlState.CONNECTION_DOES_NOT_EXIST, "the session is closed: open a new one");
  }

  public static DbException indexBuildPostponed(String table) {
    return new DbException(
        SqlState.LOCK_NOT_AVAILABLE,
        "writers kept " + table + " busy for 30 s: index build postponed");
  }

  public static DbException duckDbAlterWithIndexInTransaction(String table, Throwable cause) {
    return new DbException(
        FEATURE_NOT_SUPPORTED,
        "on DuckDB this ALTER of "
            + table
            + " cannot run inside a transaction (a script of several statements is one): an"
            + " automatic index depends on the column, and DuckDB keeps that dependency until"
            + " the transaction ends",
        "send the ALTER as a query of its own, outside BEGIN … COMMIT; the layer then rebuilds"
            + " the index around it",
        cause);
  }

  // What PostgreSQL clients and ORMs send that the layer cannot answer as PostgreSQL would: each
  // names the construct and what to write instead.

  /** The words every refusal of unsupported syntax starts with. */
  static final String NOT_SUPPORTED = "not supported by threadbare's SQL layer: ";

  static DbException returningUnknownColumn(String table, String column, String sql) {
    return new DbException(
        SqlState.UNDEFINED_COLUMN,
        "column "
            + table
            + "."
            + column
            + " does not exist, so RETURNING cannot answer it (it would be NULL for every row), in: "
            + SqlText.excerpt(sql, 200),
        "write "
            + column
            + " in the INSERT, or give the table the column first, e.g. ALTER TABLE "
            + table
            + " ADD COLUMN "
            + column
            + " bigint GENERATED BY DEFAULT AS IDENTITY (or CREATE TABLE "
            + table
            + " ("
            + column
            + " bigserial PRIMARY KEY, …) before the first insert)",
        null);
  }

  static DbException notSupported(String construct, String sql, String instead) {
    return new DbException(
        FEATURE_NOT_SUPPORTED,
        NOT_SUPPORTED + construct + ", in: " + SqlText.excerpt(sql, 200),
        instead,
        null);
  }

  /** A statement the layer's parser cannot read: PostgreSQL syntax it lacks, or a mistake. */
  static DbException unparsable(DbException syntax) {
    return new DbException(
        syntax.sqlState(),
        NOT_SUPPORTED.strip().replaceAll(":$", "") + ", or a syntax error: " + syntax.getMessage(),
        syntax.hint()
            + "; threadbare's parser (JSqlParser, PostgreSQL dialect) reads most PostgreSQL: write"
            + " the construct named there another way",
        syntax);
  }

  static DbException savepointOutsideTransaction(String kind, String sql) {
    return new DbException(
        SqlState.NO_ACTIVE_SQL_TRANSACTION,
        kind + " can only be used in transaction blocks, in: " + SqlText.excerpt(sql, 200),
        "send BEGIN first",
        null);
  }

  static DbException savepointMissing(String name, String sql) {
    return new DbException(
        SqlState.INVALID_SAVEPOINT_SPECIFICATION,
        "savepoint \"" + name + "\" does not exist, in: " + SqlText.excerpt(sql, 200),
        "savepoints live until the end of their transaction, or until released",
        null);
  }

  static DbException savepointReplayFailed(DbException failure, String sql) {
    return new DbException(
        failure.sqlState(),
        "could not return to the savepoint on the DuckDB engine (which has none: the layer runs"
            + " the transaction again up to it) because a statement failed when run again: "
            + failure.getMessage()
            + ", in: "
            + SqlText.excerpt(sql, 200),
        "send ROLLBACK and run the transaction again",
        failure);
  }

  static DbException cursorOutsideTransaction(String sql) {
    return new DbException(
        SqlState.NO_ACTIVE_SQL_TRANSACTION,
        "DECLARE CURSOR can only be used in transaction blocks, in: " + SqlText.excerpt(sql, 200),
        "send BEGIN first, or declare it WITH HOLD",
        null);
  }

  static DbException cursorExists(String name) {
    return new DbException(SqlState.DUPLICATE_CURSOR, "cursor \"" + name + "\" already exists");
  }

  static DbException cursorMissing(String name) {
    return new DbException(SqlState.INVALID_CURSOR_NAME, "cursor \"" + name + "\" does not exist");
  }

  static DbException showAllOnDuckDb() {
    return new DbException(
        FEATURE_NOT_SUPPORTED,
        "SHOW ALL is not supported by threadbare's SQL layer on the DuckDB engine: SHOW one"
            + " setting by name");
  }

  static DbException unknownSetting(String name) {
    return new DbException(
        SqlState.UNDEFINED_OBJECT, "unrecognized configuration parameter \"" + name + "\"");
  }

  public static DbException restoreTargetExists(String database) {
    return new DbException(
        SqlState.DUPLICATE_DATABASE,
        "database \""
            + database
            + "\" exists: restore into a new name (--database) or a new data directory");
  }

  public static DbException notABackup(Object file, String why) {
    return new DbException(
        SqlState.INVALID_PARAMETER_VALUE, file + " is not a threadbare db backup: " + why);
  }

  public static DbException backupFormat(Object file, Object format, int readable) {
    return new DbException(
        SqlState.INVALID_PARAMETER_VALUE,
        file + " has backup format " + format + ": this threadbare reads " + readable);
  }

  public static DbException prodHasNoCap() {
    return new DbException(
        SqlState.INVALID_PARAMETER_VALUE, "prod is durable and uncapped: only previews have a cap");
  }
}

package dev.threadbare.db;

/**
 * The SQLSTATE codes threadbare sends, named as in PostgreSQL's Appendix A: one set for the db
 * layer and the wire server, so that a code is spelled once. Stateless.
 *
 * @see <a href="https://www.postgresql.org/docs/current/errcodes-appendix.html">PostgreSQL Error
 *     Codes</a>
 */
public final class SqlState {
  private SqlState() {}

  public static final String SUCCESSFUL_COMPLETION = "00000";
  public static final String SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION = "08001";
  public static final String CONNECTION_DOES_NOT_EXIST = "08003";
  public static final String PROTOCOL_VIOLATION = "08P01";
  public static final String FEATURE_NOT_SUPPORTED = "0A000";
  public static final String NUMERIC_VALUE_OUT_OF_RANGE = "22003";
  public static final String INVALID_PARAMETER_VALUE = "22023";
  public static final String INVALID_TEXT_REPRESENTATION = "22P02";
  public static final String INVALID_BINARY_REPRESENTATION = "22P03";
  public static final String NOT_NULL_VIOLATION = "23502";
  public static final String FOREIGN_KEY_VIOLATION = "23503";
  public static final String UNIQUE_VIOLATION = "23505";
  public static final String NO_ACTIVE_SQL_TRANSACTION = "25P01";
  public static final String IN_FAILED_SQL_TRANSACTION = "25P02";
  public static final String INVALID_SQL_STATEMENT_NAME = "26000";
  public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
  public static final String INVALID_PASSWORD = "28P01";
  public static final String INVALID_CURSOR_NAME = "34000";
  public static final String INVALID_SAVEPOINT_SPECIFICATION = "3B001";
  public static final String INVALID_CATALOG_NAME = "3D000";
  public static final String SERIALIZATION_FAILURE = "40001";
  public static final String DEADLOCK_DETECTED = "40P01";
  public static final String DUPLICATE_DATABASE = "42P04";
  public static final String DUPLICATE_OBJECT = "42710";
  public static final String INSUFFICIENT_PRIVILEGE = "42501";
  public static final String SYNTAX_ERROR = "42601";
  public static final String UNDEFINED_COLUMN = "42703";
  public static final String DATATYPE_MISMATCH = "42804";
  public static final String UNDEFINED_TABLE = "42P01";
  public static final String DUPLICATE_CURSOR = "42P03";
  public static final String UNDEFINED_OBJECT = "42704";
  public static final String DUPLICATE_PREPARED_STATEMENT = "42P05";
  public static final String INDETERMINATE_DATATYPE = "42P18";
  public static final String DISK_FULL = "53100";
  public static final String TOO_MANY_CONNECTIONS = "53300";
  public static final String PROGRAM_LIMIT_EXCEEDED = "54000";
  public static final String STATEMENT_TOO_COMPLEX = "54001";
  public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
  public static final String LOCK_NOT_AVAILABLE = "55P03";
  public static final String QUERY_CANCELED = "57014";
  public static final String BAD_COPY_FILE_FORMAT = "22P04";
  public static final String ADMIN_SHUTDOWN = "57P01";
  public static final String CONFIG_FILE_ERROR = "F0000";
  public static final String INTERNAL_ERROR = "XX000";
}

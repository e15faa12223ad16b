package dev.threadbare.pgwire;

/**
 * The SQLSTATE codes this server itself sends (the db layer supplies its own). One catalog for the
 * wire surface, named as in PostgreSQL's Appendix A.
 */
final class SqlStates {
  static final String SUCCESSFUL_COMPLETION = "00000";
  static final String PROTOCOL_VIOLATION = "08P01";
  static final String FEATURE_NOT_SUPPORTED = "0A000";
  static final String INVALID_TEXT_REPRESENTATION = "22P02";
  static final String INVALID_BINARY_REPRESENTATION = "22P03";
  static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
  static final String INVALID_PASSWORD = "28P01";
  static final String INVALID_SQL_STATEMENT_NAME = "26000";
  static final String INVALID_CURSOR_NAME = "34000";
  static final String DUPLICATE_PREPARED_STATEMENT = "42P05";
  static final String DUPLICATE_CURSOR = "42P03";
  static final String TOO_MANY_CONNECTIONS = "53300";
  static final String PROGRAM_LIMIT_EXCEEDED = "54000";
  static final String ADMIN_SHUTDOWN = "57P01";
  static final String CONFIG_FILE_ERROR = "F0000";
  static final String INTERNAL_ERROR = "XX000";

  private SqlStates() {}
}

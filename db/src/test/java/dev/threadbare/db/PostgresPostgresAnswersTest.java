package dev.threadbare.db;

/** PostgreSQL's answers through the layer on PostgreSQL. */
class PostgresPostgresAnswersTest extends PostgresAnswersContract {
  @Override
  DbLayer newLayer() {
    return DbLayer.postgres(SharedPostgres.freshServer(), DbOptions.defaults());
  }
}

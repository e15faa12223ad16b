package dev.threadbare.app.cli;

import dev.threadbare.app.PostgresUrl;
import dev.threadbare.app.serve.Server;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --db-postgres URL} (else {@code THREADBARE_DB_POSTGRES}): the engine the db layer runs on,
 * shared by {@code serve} and every {@code db} subcommand. Absent, the layer is DuckDB in the data
 * directory. A picocli mixin: one instance per parsed command, not shared between threads.
 */
final class DbEngineOption {

  @Option(
      names = PostgresUrl.OPTION,
      paramLabel = "URL",
      defaultValue = "${env:" + PostgresUrl.ENV + "}",
      converter = Converter.class,
      description =
          "Run the db layer on this PostgreSQL server, one database tb_<name> per logical database"
              + " (postgresql://user[:password]@host[:port][/admindb] or"
              + " postgresql://user@/admindb?host=/socket/dir; default: $"
              + PostgresUrl.ENV
              + ", else DuckDB in the data directory).")
  PostgresUrl postgres;

  /** Opens the db layer: on the server when the option (or variable) is set, else on DuckDB. */
  DbLayer open(Path data, DbOptions options) {
    return postgres == null ? DbLayer.duckDb(data, options) : postgres.openLayer(options);
  }

  /** Which engine {@link #open} uses, for people (the password masked). */
  String describe(Path data) {
    return Server.describeDbEngine(postgres, data);
  }

  /** Parses the option's value; a malformed URL is a usage error. */
  static final class Converter implements ITypeConverter<PostgresUrl> {
    @Override
    public PostgresUrl convert(String value) {
      if (value == null || value.isBlank()) {
        return null;
      }
      try {
        return PostgresUrl.parse(value);
      } catch (PostgresUrl.MalformedPostgresUrlException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}

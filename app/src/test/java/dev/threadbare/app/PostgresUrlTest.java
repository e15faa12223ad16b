package dev.threadbare.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.db.DbLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PostgresUrlTest {

  @Test
  void aFullTcpUrlIsDecodedIntoTheServer() {
    PostgresUrl url = PostgresUrl.parse("postgresql://ad%20a:s%40cr%3At@db.example.com:6543/admin");
    assertThat(url).isEqualTo(new PostgresUrl("db.example.com", 6543, "ad a", "s@cr:t", "admin"));
    assertThat(url.isUnixSocket()).isFalse();
    assertThat(url.server())
        .isEqualTo(new DbLayer.PostgresServer("db.example.com", 6543, "ad a", "s@cr:t", "admin"));
    assertThat(url.server().databasePrefix()).isEqualTo("tb_");
  }

  @Test
  void portAdminDatabaseAndPasswordHaveLibpqDefaults() {
    assertThat(PostgresUrl.parse("postgresql://ada@localhost"))
        .isEqualTo(new PostgresUrl("localhost", 5432, "ada", "", "postgres"));
    assertThat(PostgresUrl.parse("postgres://ada@127.0.0.1/"))
        .isEqualTo(new PostgresUrl("127.0.0.1", 5432, "ada", "", "postgres"));
    assertThat(PostgresUrl.parse("  POSTGRESQL://ada:@h:1/x  "))
        .isEqualTo(new PostgresUrl("h", 1, "ada", "", "x"));
    assertThat(PostgresUrl.parse("postgresql://ada@[::1]:5433/x"))
        .isEqualTo(new PostgresUrl("::1", 5433, "ada", "", "x"));
  }

  @Test
  void aHostParameterThatIsAnAbsolutePathIsASocketDirectory() {
    PostgresUrl url = PostgresUrl.parse("postgresql://ada@/admin?host=/var/run/postgresql");
    assertThat(url).isEqualTo(new PostgresUrl("/var/run/postgresql", 5432, "ada", "", "admin"));
    assertThat(url.isUnixSocket()).isTrue();
    assertThat(url.server().host()).isEqualTo("/var/run/postgresql");
    assertThat(PostgresUrl.parse("postgresql://ada@:5433?host=%2Ftmp%2Fpg"))
        .isEqualTo(new PostgresUrl("/tmp/pg", 5433, "ada", "", "postgres"));
  }

  @Test
  void toStringMasksThePassword() {
    assertThat(PostgresUrl.parse("postgresql://ada:hunter22@db:6543/admin"))
        .hasToString("postgresql://ada:***@db:6543/admin");
    assertThat(PostgresUrl.parse("postgresql://ada@db/admin"))
        .hasToString("postgresql://ada@db:5432/admin");
    assertThat(PostgresUrl.parse("postgresql://ada@[::1]/admin"))
        .hasToString("postgresql://ada@[::1]:5432/admin");
    assertThat(PostgresUrl.parse("postgresql://ada:pw@/admin?host=/run/pg"))
        .hasToString("postgresql://ada:***@/admin?host=/run/pg");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "mysql://ada@db/admin | does not start with postgresql://",
        "db.example.com:5432 | does not start with postgresql://",
        "postgresql://ada@db:54x2/admin | port '54x2', which is not a number",
        "postgresql://ada@db:70000/admin | port 70000, which is not from 1 to 65535",
        "postgresql://ada@db:0/admin | port 0",
        "postgresql://db:5432/admin | names no user",
        "postgresql://@db/admin | names no user",
        "postgresql://ada@db/admin?sslmode=require | 'sslmode', which is not supported",
        "postgresql://ada@/admin?host=db.example.com | not an absolute Unix-socket directory",
        "postgresql://ada@db/admin?host=/run/pg | both before the path and as ?host=",
        "postgresql://ada@/admin | names no host",
        "postgresql://ada@h1,h2/admin | several hosts",
        "postgresql://ada@db/admin/more | more than one segment",
        "postgresql://ada@db/admin#x | #fragment",
        "postgresql://ad%zza@db/admin | bad percent-escape in the user",
        "postgresql://ada@[::1/admin | without its ']'",
      })
  void malformedUrlsAreRejectedNamingTheInputAndTheExpectedForm(String input, String rule) {
    assertThatThrownBy(() -> PostgresUrl.parse(input))
        .isInstanceOf(PostgresUrl.MalformedPostgresUrlException.class)
        .hasMessageContaining("'" + input + "'")
        .hasMessageContaining(rule)
        .hasMessageContaining(PostgresUrl.EXPECTED)
        .hasMessageContaining("--db-postgres")
        .hasMessageContaining("THREADBARE_DB_POSTGRES");
  }

  @Test
  void anEmptyUrlIsRejected() {
    assertThatThrownBy(() -> PostgresUrl.parse(" "))
        .isInstanceOf(PostgresUrl.MalformedPostgresUrlException.class)
        .hasMessageContaining("is empty");
  }

  @Test
  void errorsNeverShowThePassword() {
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql://ada:hunter22@db:bad/admin"))
        .hasMessageContaining("'postgresql://ada:***@db:bad/admin'")
        .hasMessageNotContaining("hunter22");
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql://ada:hun/ter22@db/admin"))
        .hasMessageContaining("'postgresql://ada:***@db/admin'")
        .hasMessageNotContaining("ter22");
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql://:hunter22@db/admin"))
        .hasMessageContaining("'postgresql://:***@db/admin' names no user")
        .hasMessageNotContaining("hunter22");
  }
}

package dev.threadbare.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class TestPostgresTest {

  @Test
  void eachDatabaseIsFreshAndIsolated() throws Exception {
    TestDatabase first = TestPostgres.newDatabase();
    TestDatabase second = TestPostgres.newDatabase();

    assertThat(first.name()).isNotEqualTo(second.name());
    assertThat(first.jdbcUrl())
        .isEqualTo("jdbc:postgresql://127.0.0.1:" + TestPostgres.port() + "/" + first.name());
    try (Connection connection = first.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE only_in_first (id INT)");
    }
    try (Connection connection = second.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
      rows.next();
      assertThat(rows.getInt(1)).isZero();
    }
  }

  @Test
  void theServerIsRealPostgresql() throws Exception {
    try (Connection connection = TestPostgres.newDatabase().connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT version()")) {
      rows.next();
      assertThat(rows.getString(1)).startsWith("PostgreSQL 14");
    }
    assertThat(TestPostgres.fsync()).isEqualTo(Boolean.getBoolean(TestPostgres.FSYNC_PROPERTY));
  }
}

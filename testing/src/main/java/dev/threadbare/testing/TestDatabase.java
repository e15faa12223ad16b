package dev.threadbare.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * One empty database on the shared test PostgreSQL server, made by {@link
 * TestPostgres#newDatabase()}. An immutable value; the database lives as long as the test JVM.
 *
 * @param name the database name
 * @param jdbcUrl a JDBC URL reaching it, e.g. {@code jdbc:postgresql://127.0.0.1:5432/tb_1_1}
 * @param user the user to connect as (a superuser)
 * @param password its password (the test server trusts local connections, so it is empty)
 */
public record TestDatabase(String name, String jdbcUrl, String user, String password) {

  public TestDatabase {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /** An unpooled DataSource opening a new connection per call; wrap it in a pool if needed. */
  public DataSource dataSource() {
    return TestPostgres.dataSource(this);
  }

  /** Opens a new connection; the caller closes it. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, user, password);
  }
}

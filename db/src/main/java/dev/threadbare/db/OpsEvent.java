package dev.threadbare.db;

import java.time.Instant;
import java.util.Objects;

/**
 * Something the db layer did on its own that operators should know about. Immutable.
 *
 * @param kind {@code index-created}, {@code index-dropped} or {@code index-failed}
 */
public record OpsEvent(Instant at, String database, String kind, String message) {
  public OpsEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return "db " + database + ": " + kind + ": " + message;
  }
}

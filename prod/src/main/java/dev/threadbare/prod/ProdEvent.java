package dev.threadbare.prod;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * One promotion or rollback of a channel's prod, as recorded. Immutable.
 *
 * @param id the record's number, increasing
 * @param channel the channel id
 * @param action promote or rollback
 * @param commit the version (full commit id) that serves prod once this is done
 * @param deployment the version's deployment
 * @param user who asked (chat user id)
 * @param at when it was asked
 * @param approvals who approved the version (chat user ids) when it was asked
 * @param ciRun the CI run that passed for the version, or null (no {@code [ci]})
 * @param previous what prod served before (full commit id), or null for the first
 * @param status where it stands: a {@code pending} one that never finished is {@code abandoned}
 * @param detail why it failed or was abandoned, else empty
 */
public record ProdEvent(
    long id,
    String channel,
    Action action,
    String commit,
    UUID deployment,
    String user,
    Instant at,
    List<String> approvals,
    Long ciRun,
    String previous,
    Status status,
    String detail) {

  /** What was asked. */
  public enum Action {
    PROMOTE,
    ROLLBACK;

    /** {@code promote} or {@code rollback}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Action of(String label) {
      return valueOf(label.toUpperCase(Locale.ROOT));
    }
  }

  /** Where a promotion stands. Only {@code DONE} ones ever served prod. */
  public enum Status {
    /** Asked, the version starting; prod still serves the previous one. */
    PENDING,
    /** The version serves prod (or did, until a later one). */
    DONE,
    /** The version could not start; prod stayed as it was. */
    FAILED,
    /** The server stopped before the version served; prod stayed as it was. */
    ABANDONED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Status of(String label) {
      return valueOf(label.toUpperCase(Locale.ROOT));
    }
  }

  public ProdEvent {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(at, "at");
    approvals = List.copyOf(approvals);
    Objects.requireNonNull(status, "status");
    detail = detail == null ? "" : detail;
  }
}

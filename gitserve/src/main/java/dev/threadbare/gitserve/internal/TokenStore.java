package dev.threadbare.gitserve.internal;

import dev.threadbare.gitserve.AccessToken;
import dev.threadbare.gitserve.TokenStoreException;
import dev.threadbare.gitserve.UnknownTokenException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * Personal access tokens in {@code DIR/gitserve.db} (SQLite, schema by Flyway). Only the SHA-256 of
 * a token's secret is kept: tokens are 256 random bits, so a fast hash is enough. Thread safe:
 * every call opens its own connection.
 */
public final class TokenStore {
  /** Every token starts with this, so leaked tokens are recognisable by secret scanners. */
  public static final String PREFIX = "tbp_";

  private final String url;
  private final Path file;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  private TokenStore(Path file, Clock clock) {
    this.file = file;
    this.url = "jdbc:sqlite:" + file.toAbsolutePath();
    this.clock = clock;
  }

  /** Opens (creating and migrating when needed) the store under {@code dataDir}. */
  public static TokenStore open(Path dataDir, Clock clock) {
    Objects.requireNonNull(dataDir, "dataDir");
    Path file = dataDir.resolve("gitserve.db");
    try {
      Files.createDirectories(dataDir);
    } catch (java.io.IOException e) {
      throw new TokenStoreException(
          "cannot create data directory `" + dataDir + "`: check that it is writable", e);
    }
    TokenStore store = new TokenStore(file, clock);
    try {
      Flyway.configure()
          .dataSource(store.url, null, null)
          .locations("classpath:db/gitserve")
          .table("gitserve_schema_history")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      throw new TokenStoreException(
          "cannot migrate token database `" + file + "`: is it a gitserve database?", e);
    }
    return store;
  }

  /** Issues a new token for {@code userId}; returns the secret, which is never shown again. */
  public String issue(String userId) {
    Objects.requireNonNull(userId, "userId");
    if (userId.isBlank()) {
      throw new IllegalArgumentException("user id is blank: give the chat user id, e.g. U0123");
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    byte[] id = new byte[5];
    random.nextBytes(id);
    String tokenId = HexFormat.of().formatHex(id);
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO access_token(id, user_id, secret_sha256, created_at) VALUES (?,?,?,?)")) {
      s.setString(1, tokenId);
      s.setString(2, userId);
      s.setString(3, sha256(token));
      s.setString(4, clock.instant().toString());
      s.executeUpdate();
    } catch (SQLException e) {
      throw failure("issue a token for `" + userId + "`", e);
    }
    return token;
  }

  /** The user a live token speaks for, or empty for an unknown or revoked token. */
  public Optional<String> userOf(String token) {
    if (token == null || !token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT user_id FROM access_token WHERE secret_sha256 = ? AND revoked_at IS NULL")) {
      s.setString(1, sha256(token));
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("check a token", e);
    }
  }

  /** Every token issued, oldest first, optionally only those of one user. */
  public List<AccessToken> list(Optional<String> userId) {
    String sql =
        "SELECT id, user_id, created_at, revoked_at FROM access_token"
            + (userId.isPresent() ? " WHERE user_id = ?" : "")
            + " ORDER BY created_at, id";
    try (Connection c = connect();
        PreparedStatement s = c.prepareStatement(sql)) {
      if (userId.isPresent()) {
        s.setString(1, userId.get());
      }
      List<AccessToken> tokens = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String revoked = r.getString(4);
          tokens.add(
              new AccessToken(
                  r.getString(1),
                  r.getString(2),
                  Instant.parse(r.getString(3)),
                  revoked == null ? null : Instant.parse(revoked)));
        }
      }
      return List.copyOf(tokens);
    } catch (SQLException e) {
      throw failure("list tokens", e);
    }
  }

  /** Revokes the token with id {@code tokenId}; revoking twice keeps the first time. */
  public void revoke(String tokenId) {
    Objects.requireNonNull(tokenId, "tokenId");
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement(
                "UPDATE access_token SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")) {
      s.setString(1, clock.instant().toString());
      s.setString(2, tokenId);
      if (s.executeUpdate() == 0) {
        throw new UnknownTokenException(tokenId);
      }
    } catch (SQLException e) {
      throw failure("revoke token `" + tokenId + "`", e);
    }
  }

  private Connection connect() throws SQLException {
    Connection connection = DriverManager.getConnection(url);
    try (var statement = connection.createStatement()) {
      statement.execute("PRAGMA busy_timeout = 5000");
    }
    return connection;
  }

  private TokenStoreException failure(String what, SQLException e) {
    return new TokenStoreException(
        "cannot "
            + what
            + " in `"
            + file
            + "`: "
            + e.getMessage()
            + " (is the disk full or the file locked?)",
        e);
  }

  static String sha256(String token) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}

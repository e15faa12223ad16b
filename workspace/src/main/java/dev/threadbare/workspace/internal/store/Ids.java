package dev.threadbare.workspace.internal.store;

import java.security.SecureRandom;

/** Random Slack-style identifiers and tokens. Stateless apart from a thread-safe random source. */
public final class Ids {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  private static final String MIXED =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private Ids() {}

  /** {@code prefix} followed by 10 upper-case letters and digits, like {@code U043H11ES4V}. */
  public static String id(String prefix) {
    return prefix + random(UPPER, 10);
  }

  /** A secret token such as {@code xoxb-…}: {@code prefix-} and 40 random characters. */
  public static String token(String prefix) {
    return prefix + "-" + random(MIXED, 40);
  }

  /** {@code length} random characters of {@code alphabet}. */
  public static String random(String alphabet, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return out.toString();
  }
}

package dev.threadbare.prod;

import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * A version's {@code [review]} settings from its {@code threadbare.toml}: the approvals a merge or
 * a promotion needs, and whether code reaches {@code main} only by merge. What gates a promotion is
 * read from the version <em>in prod</em> (DESIGN.md section 6), so a change cannot lower its own
 * bar. Immutable.
 *
 * @param approvals thumbs-up needed (default 1)
 * @param protectMain whether top-level code is refused (default false)
 */
public record ReviewSettings(int approvals, boolean protectMain) {

  /** The bar before any version has been promoted, or when prod's version has no file. */
  public static final ReviewSettings DEFAULTS = new ReviewSettings(1, false);

  public ReviewSettings {
    if (approvals < 0) {
      throw new ProdException("[review] approvals = " + approvals + " must be 0 or more");
    }
  }

  /**
   * The settings in {@code toml} (defaults for what it does not say).
   *
   * @throws ProdException naming the key when the file is not TOML or a value has the wrong type
   */
  public static ReviewSettings parse(String toml) {
    TomlParseResult parsed = Toml.parse(toml);
    if (parsed.hasErrors()) {
      throw new ProdException("threadbare.toml is not valid TOML: " + parsed.errors().get(0));
    }
    int approvals = DEFAULTS.approvals();
    Object value = parsed.get("review.approvals");
    if (value != null) {
      if (!(value instanceof Long n) || n > 100) {
        throw new ProdException(
            "[review] approvals = " + value + " in threadbare.toml must be a whole number 0–100");
      }
      approvals = (int) (long) n;
    }
    boolean protect = DEFAULTS.protectMain();
    Object flag = parsed.get("review.protect_main");
    if (flag != null) {
      if (!(flag instanceof Boolean b)) {
        throw new ProdException(
            "[review] protect_main = " + flag + " in threadbare.toml must be true or false");
      }
      protect = b;
    }
    return new ReviewSettings(approvals, protect);
  }

  /** Whether {@code toml} has a {@code [ci] test}: then a promotion needs its run to pass. */
  public static boolean hasCi(String toml) {
    TomlParseResult parsed = Toml.parse(toml);
    return !parsed.hasErrors() && parsed.get("ci.test") instanceof String s && !s.isBlank();
  }
}

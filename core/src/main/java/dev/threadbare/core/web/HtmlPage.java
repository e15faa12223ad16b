package dev.threadbare.core.web;

/**
 * The server-rendered pages' shell and escaping: one {@code <!doctype html>} page with a title
 * heading, and text made safe for HTML text and attribute values. Used by the CI and deployments
 * pages. Stateless.
 */
public final class HtmlPage {

  /** The style every page shares: plain, readable, compact tables. */
  private static final String BASE_STYLE =
      "body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}";

  private HtmlPage() {}

  /**
   * A whole page: {@code title} (escaped) as its title and heading, then {@code body} (HTML, as
   * given), with the shared style plus {@code style} (CSS rules of this page).
   */
  public static String of(String title, String style, String body) {
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>"
        + escape(title)
        + "</title><style>"
        + BASE_STYLE
        + style
        + "</style></head><body><h1>"
        + escape(title)
        + "</h1>"
        + body
        + "</body></html>";
  }

  /** {@code text} escaped for HTML text and double-quoted attribute values. */
  public static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}

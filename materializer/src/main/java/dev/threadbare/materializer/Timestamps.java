package dev.threadbare.materializer;

import dev.threadbare.core.chat.SlackTs;
import java.util.Locale;

/** Slack timestamps as the materializer writes them: canonical text and permalinks. Stateless. */
final class Timestamps {

  /** The base of every permalink the materializer writes (deterministic, workspace-free). */
  static final String PERMALINK_BASE = "https://slack.com/archives/";

  private Timestamps() {}

  /** Microseconds since the epoch as Slack's {@code seconds.micros} text. */
  static String text(long micros) {
    return String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000L, micros % 1_000_000L);
  }

  /**
   * The permalink of a message: {@code https://slack.com/archives/<channel>/p<16 digits>}, plus
   * {@code ?thread_ts=<root>&cid=<channel>} for a reply.
   */
  static String permalink(String channel, long ts, long lineage) {
    String link = PERMALINK_BASE + channel + "/p" + String.format(Locale.ROOT, "%016d", ts);
    if (lineage != ChannelIndex.MAIN) {
      link += "?thread_ts=" + text(lineage) + "&cid=" + channel;
    }
    return link;
  }

  /** The version order of {@code edited.ts} text; the empty version (never edited) is lowest. */
  static long version(String version) {
    if (version == null || version.isEmpty() || !SlackTs.isValid(version)) {
      return -1L;
    }
    return SlackTs.micros(version);
  }
}

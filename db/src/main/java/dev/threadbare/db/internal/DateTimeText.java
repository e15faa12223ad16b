package dev.threadbare.db.internal;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A date, date and time, or date, time and offset in the ISO forms PostgreSQL accepts as input:
 * {@code 2024-02-29}, {@code 2024-02-29 13:14:15}, {@code 2024-02-29T13:14:15.123+05:30}, {@code
 * 2024-02-29 13:14:15.123 +00:00} (Sequelize), {@code …Z}. Immutable.
 *
 * @param date the date
 * @param time the time of day, or null when the text had none
 * @param offset the offset, or null when the text had none
 */
record DateTimeText(LocalDate date, LocalTime time, ZoneOffset offset) {
  private static final Pattern FORM =
      Pattern.compile(
          "^(\\d{4}-\\d{2}-\\d{2})(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2})(\\.\\d{1,9})?)?)?"
              + "\\s*(Z|UTC|GMT|[+-]\\d{1,2}(?::?\\d{2})?)?$",
          Pattern.CASE_INSENSITIVE);

  /** The parsed text, or null when it is not one of the forms. */
  static DateTimeText tryParse(String text) {
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) {
      return null;
    }
    try {
      LocalDate date = LocalDate.parse(m.group(1));
      LocalTime time = null;
      if (m.group(2) != null) {
        int nanos = 0;
        if (m.group(5) != null) {
          String fraction = (m.group(5).substring(1) + "000000000").substring(0, 9);
          nanos = Integer.parseInt(fraction);
        }
        time =
            LocalTime.of(
                Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)),
                m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
                nanos);
      }
      ZoneOffset offset = null;
      if (m.group(6) != null) {
        String o = m.group(6).toUpperCase(Locale.ROOT);
        offset =
            o.equals("Z") || o.equals("UTC") || o.equals("GMT") ? ZoneOffset.UTC : ZoneOffset.of(o);
      }
      return new DateTimeText(date, time, offset);
    } catch (java.time.DateTimeException | NumberFormatException e) {
      return null;
    }
  }

  /** The parsed text; throws DateTimeParseException when it is not one of the forms. */
  static DateTimeText parse(String text) {
    DateTimeText parsed = tryParse(text);
    if (parsed == null) {
      throw new DateTimeParseException("not an ISO date or timestamp", text, 0);
    }
    return parsed;
  }

  /** As a timestamp without time zone: the offset is ignored, as PostgreSQL does. */
  LocalDateTime local() {
    return date.atTime(time == null ? LocalTime.MIDNIGHT : time);
  }

  /** As a timestamp with time zone: without an offset, the session's (UTC). */
  OffsetDateTime instant() {
    return local().atOffset(offset == null ? ZoneOffset.UTC : offset);
  }
}

package io.tandem.common.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of every Tandem config file and command-line option: a number with a
 * unit, {@code ms}, {@code s}, {@code m} or {@code h}, decimals allowed ({@code 250ms},
 * {@code 2s}, {@code 1.5s}, {@code 0.5m}, {@code 1h}). A bare number is refused, because
 * {@code 2} could be meant as seconds or as milliseconds. The resolution is one millisecond.
 */
public final class Durations {
  /** The longest duration accepted anywhere; longer ones are typos. */
  public static final Duration MAX = Duration.ofDays(365);
  public static final String EXAMPLES = "e.g. 250ms, 2s, 1.5s, 1m or 1h";

  private static final Pattern SYNTAX = Pattern.compile("([+-]?)(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(ms|s|m|h)");
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)");

  private Durations() {}

  /**
   * Parses a duration of at least zero.
   *
   * @throws IllegalArgumentException with a sentence saying what is wrong (no field name: the
   *     caller adds it)
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("must be a duration with a unit (" + EXAMPLES + "), got nothing");
    }
    String s = text.trim();
    Matcher m = SYNTAX.matcher(s);
    if (!m.matches()) {
      if (NUMBER.matcher(s).matches()) {
        throw new IllegalArgumentException("\"" + s + "\" has no unit: write " + s + "ms or " + s
            + "s (" + EXAMPLES + ")");
      }
      throw new IllegalArgumentException("must be a duration with a unit (" + EXAMPLES + "), got \""
          + s + "\"");
    }
    if (m.group(1).equals("-") && new BigDecimal(m.group(2)).signum() != 0) {
      throw new IllegalArgumentException("must not be negative, got \"" + s + "\"");
    }
    BigDecimal millis = new BigDecimal(m.group(2)).multiply(BigDecimal.valueOf(unitMillis(m.group(3))));
    if (millis.compareTo(BigDecimal.valueOf(MAX.toMillis())) > 0) {
      throw new IllegalArgumentException("\"" + s + "\" is too large (at most " + format(MAX) + ")");
    }
    if (millis.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException("\"" + s + "\" is finer than the resolution of 1ms");
    }
    return Duration.ofMillis(millis.setScale(0, RoundingMode.UNNECESSARY).longValueExact());
  }

  /** Parses a duration that must be greater than zero. */
  public static Duration parsePositive(String text) {
    Duration d = parse(text);
    if (d.isZero()) {
      throw new IllegalArgumentException("must be greater than zero, got \"" + text.trim() + "\"");
    }
    return d;
  }

  /** The shortest text that {@link #parse} reads back as {@code d}: 250ms, 2s, 1.5s, 90s, 2m, 8760h. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000 || ms % 100 != 0 && ms < 60_000) {
      return ms + "ms";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return BigDecimal.valueOf(ms).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
  }

  private static long unitMillis(String unit) {
    return switch (unit) {
      case "ms" -> 1;
      case "s" -> 1_000;
      case "m" -> 60_000;
      default -> 3_600_000;
    };
  }
}

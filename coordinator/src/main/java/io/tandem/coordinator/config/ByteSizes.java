package io.tandem.coordinator.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes in config files: a whole number of bytes ({@code 1048576}) or a number with a unit,
 * {@code B}, {@code KB}, {@code MB} or {@code GB}, counted in 1024s ({@code KiB}, {@code MiB}
 * and {@code GiB} mean the same): {@code 512KB}, {@code 1MB}, {@code 1.5MiB}, {@code 32MB}.
 */
public final class ByteSizes {
  public static final String EXAMPLES = "e.g. 1048576, 512KB, 1MB or 32MB (1 KB = 1024 bytes)";
  private static final Pattern SYNTAX =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?", Pattern.CASE_INSENSITIVE);

  private ByteSizes() {}

  /** @throws IllegalArgumentException with a sentence saying what is wrong (no field name) */
  public static long parse(String text) {
    String s = text == null ? "" : text.trim();
    Matcher m = SYNTAX.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("must be a size (" + EXAMPLES + "), got \"" + s + "\"");
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT).replace("I", "");
    long factor = switch (unit) {
      case "KB" -> 1024L;
      case "MB" -> 1024L * 1024;
      case "GB" -> 1024L * 1024 * 1024;
      default -> 1L;
    };
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
      throw new IllegalArgumentException("\"" + s + "\" is too large");
    }
    if (bytes.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException("\"" + s + "\" is not a whole number of bytes");
    }
    return bytes.longValueExact();
  }
}

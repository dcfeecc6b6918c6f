package io.tandem.it.tool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stop-the-world pauses from a JVM's unified GC log ({@code -Xlog:gc:file=...}): every line
 * {@code GC(n) Pause ... 12.345ms} (young, mixed, full, remark, cleanup); concurrent phases are
 * not pauses and do not count.
 *
 * @param count    pauses
 * @param totalMs  their sum
 * @param maxMs    the longest
 */
record GcLog(int count, double totalMs, double maxMs) {
  private static final Pattern PAUSE = Pattern.compile("GC\\(\\d+\\) Pause .* (\\d+(?:\\.\\d+)?)ms\\s*$");
  static final GcLog NONE = new GcLog(0, 0, 0);

  static GcLog parse(List<String> lines) {
    int n = 0;
    double total = 0;
    double max = 0;
    for (String line : lines) {
      Matcher m = PAUSE.matcher(line);
      if (m.find()) {
        double ms = Double.parseDouble(m.group(1));
        n++;
        total += ms;
        max = Math.max(max, ms);
      }
    }
    return new GcLog(n, total, max);
  }

  /** The pauses in {@code file} (none if it is missing or unreadable). */
  static GcLog read(Path file) {
    try {
      return Files.exists(file) ? parse(Files.readAllLines(file)) : NONE;
    } catch (IOException | java.io.UncheckedIOException e) {
      return NONE;
    }
  }

  /** The pauses of this reading that {@code earlier} did not have (the max is over all of them). */
  GcLog since(GcLog earlier) {
    return new GcLog(count - earlier.count, totalMs - earlier.totalMs, maxMs);
  }
}

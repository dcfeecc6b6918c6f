package io.tandem.it.tool;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The milestones of a cluster start, read from the coordinators' and agents' log lines (each line
 * begins with {@code 2026-12-03T15:13:50.343+0000}): the first line at or after a wall-clock
 * moment that matches a milestone's pattern. Lines without a timestamp (stack traces, Node-RED's
 * own output) are skipped.
 */
final class StartupLog {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
  private static final int STAMP_LENGTH = "2026-12-03T15:13:50.343+0000".length();

  /** A coordinator became the Raft leader. */
  static final Pattern LEADER = Pattern.compile(" is the leader \\(term \\d+\\)");
  /** The agent's Node-RED is loaded with its flows stopped. */
  static final Pattern READY = Pattern.compile("ready as a spare in \\d+ ms");
  /** The agent started its flows (as the committed active). */
  static final Pattern FLOWS_STARTED = Pattern.compile("INFO Reconciler - flows started: ");

  private StartupLog() {}

  /** The leader decided an activation of {@code group}. */
  static Pattern decided(String group) {
    return Pattern.compile("group " + Pattern.quote(group) + ": deciding \\(");
  }

  /** An activation of {@code group} naming an active was committed; group 1 is the active. */
  static Pattern committed(String group) {
    return Pattern.compile("group " + Pattern.quote(group) + ": committed at index \\d+, active \"([^\"]+)\"");
  }

  /** The wall-clock milliseconds of a line's timestamp, or empty when it has none. */
  static OptionalLong stamp(String line) {
    if (line.length() < STAMP_LENGTH) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(OffsetDateTime.parse(line.substring(0, STAMP_LENGTH), STAMP).toInstant().toEpochMilli());
    } catch (DateTimeParseException e) {
      return OptionalLong.empty();
    }
  }

  /** The first line stamped at or after {@code fromMillis} that matches {@code p}; null if none. */
  static Hit first(List<String> lines, Pattern p, long fromMillis) {
    for (String line : lines) {
      Matcher m = p.matcher(line);
      if (!m.find()) {
        continue;
      }
      OptionalLong at = stamp(line);
      if (at.isPresent() && at.getAsLong() >= fromMillis) {
        return new Hit(at.getAsLong(), m.groupCount() > 0 ? m.group(1) : "", line);
      }
    }
    return null;
  }

  /** The earliest {@link #first} over several logs; null if none has one. */
  static Hit earliest(List<List<String>> logs, Pattern p, long fromMillis) {
    Hit best = null;
    for (List<String> lines : logs) {
      Hit h = first(lines, p, fromMillis);
      if (h != null && (best == null || h.millis() < best.millis())) {
        best = h;
      }
    }
    return best;
  }

  /** A matching line: its wall-clock time, the pattern's first group ("" without one), the line. */
  record Hit(long millis, String group, String line) {}
}

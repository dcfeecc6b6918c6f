package io.tandem.it.tool;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What ApacheBench (ab) reports for one run: completed and failed requests (ab's failures: connect,
 * receive, length and exceptions), non-2xx answers, and the latency percentiles it prints in ms
 * (100% is the longest request).
 */
record AbResult(long complete, long failed, long non2xx, long p50, long p99, long max, double requestsPerSecond) {

  static AbResult parse(String out) {
    return new AbResult(number(out, "Complete requests:\\s+(\\d+)", -1), number(out, "Failed requests:\\s+(\\d+)", -1),
        number(out, "Non-2xx responses:\\s+(\\d+)", 0), number(out, "\\n\\s*50%\\s+(\\d+)", -1),
        number(out, "\\n\\s*99%\\s+(\\d+)", -1), number(out, "\\n\\s*100%\\s+(\\d+)", -1), rps(out));
  }

  /** Requests that did not succeed: ab's failures plus non-2xx answers (a request can be both; an upper bound). */
  long unsuccessful() {
    return failed + non2xx;
  }

  String line() {
    return String.format(Locale.ROOT, "%d requests (%.0f/s), %d failed, %d non-2xx, p50 %d ms, p99 %d ms, max %d ms",
        complete, requestsPerSecond, failed, non2xx, p50, p99, max);
  }

  private static long number(String out, String regex, long absent) {
    Matcher m = Pattern.compile(regex).matcher(out);
    return m.find() ? Long.parseLong(m.group(1)) : absent;
  }

  private static double rps(String out) {
    Matcher m = Pattern.compile("Requests per second:\\s+([\\d.]+)").matcher(out);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}

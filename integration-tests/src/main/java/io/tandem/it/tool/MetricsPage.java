package io.tandem.it.tool;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readings from a Prometheus text page (what the agents' and coordinators' /metrics answer):
 * counter sums and histogram buckets, summed over every series of a name (every label set).
 */
final class MetricsPage {
  private static final Pattern LE = Pattern.compile("[{,]le=\"([^\"]+)\"");
  private final String text;

  MetricsPage(String text) {
    this.text = text;
  }

  /** The sum of every sample named exactly {@code name} whose labels contain every {@code labels} entry ("k=\"v\""); 0 if none. */
  double sum(String name, String... labels) {
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !name.equals(nameOf(line)) || !hasLabels(line, labels)) {
        continue;
      }
      total += valueOf(line);
    }
    return total;
  }

  /** The cumulative buckets of histogram {@code base} ({@code base_bucket{le=...}}), summed over its series. */
  Buckets buckets(String base) {
    NavigableMap<Double, Double> cumulative = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !(base + "_bucket").equals(nameOf(line))) {
        continue;
      }
      Matcher m = LE.matcher(line);
      if (m.find()) {
        double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
        cumulative.merge(le, valueOf(line), Double::sum);
      }
    }
    return new Buckets(cumulative);
  }

  private static String nameOf(String line) {
    int end = 0;
    while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
      end++;
    }
    return line.substring(0, end);
  }

  private static boolean hasLabels(String line, String[] labels) {
    int open = line.indexOf('{');
    int close = line.lastIndexOf('}');
    String set = open >= 0 && close > open ? line.substring(open + 1, close) : "";
    for (String l : labels) {
      if (!("," + set + ",").contains("," + l + ",")) {
        return false;
      }
    }
    return true;
  }

  /** The value after the name and labels ({@code name{labels} value [timestamp]}). */
  private static double valueOf(String line) {
    int close = line.lastIndexOf('}');
    String rest = (close >= 0 ? line.substring(close + 1) : line.substring(nameOf(line).length())).trim();
    return Double.parseDouble(rest.split("\\s+")[0]);
  }

  /**
   * A histogram's cumulative bucket counts (upper bound -> observations at or below it), and the
   * difference of two readings: the observations made between them.
   */
  record Buckets(NavigableMap<Double, Double> cumulative) {
    Buckets {
      cumulative = new TreeMap<>(cumulative);
    }

    static Buckets empty() {
      return new Buckets(new TreeMap<>());
    }

    /** The observations in this reading that {@code earlier} did not have yet (bucket by bucket). */
    Buckets minus(Buckets earlier) {
      NavigableMap<Double, Double> d = new TreeMap<>();
      cumulative.forEach((le, n) -> d.put(le, n - earlier.cumulative.getOrDefault(le, 0.0)));
      return new Buckets(d);
    }

    Buckets plus(Buckets other) {
      NavigableMap<Double, Double> d = new TreeMap<>(cumulative);
      other.cumulative.forEach((le, n) -> d.merge(le, n, Double::sum));
      return new Buckets(d);
    }

    /** Observations counted (the +Inf bucket, or the highest one). */
    long count() {
      return cumulative.isEmpty() ? 0 : Math.round(cumulative.lastEntry().getValue());
    }

    /**
     * Nearest-rank quantile (q in 0..1) as the upper bound of the bucket holding it (so "at most
     * this"); NaN without observations, +Infinity when it lies above the highest finite bound.
     */
    double quantile(double q) {
      long n = count();
      if (n == 0) {
        return Double.NaN;
      }
      long rank = Math.max(1, (long) Math.ceil(q * n));
      for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
        if (e.getValue() >= rank - 1e-9) {
          return e.getKey();
        }
      }
      return Double.POSITIVE_INFINITY;
    }
  }
}

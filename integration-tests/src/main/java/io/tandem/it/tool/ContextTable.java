package io.tandem.it.tool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The context rows of the benchmark: per-run rates, the flush latency over every run's flushes, crash losses. */
final class ContextTable {
  static final double GOAL_SETS_PER_S = 10_000;
  static final double GOAL_ENTRIES_PER_S = 20;
  private final List<Double> setsPerS = new ArrayList<>();
  private final List<Double> entriesPerS = new ArrayList<>();
  private final List<Double> opsPerEntry = new ArrayList<>();
  private final Stats lost = new Stats();
  private MetricsPage.Buckets latency = MetricsPage.Buckets.empty();
  private int metGoal;

  void add(ContextRuns.Sustained w) {
    setsPerS.add(w.setsPerSecond());
    entriesPerS.add(w.entriesPerSecond());
    opsPerEntry.add(w.entries() == 0 ? 0 : w.ops() / w.entries());
    latency = latency.plus(w.latency());
    if (w.setsPerSecond() >= GOAL_SETS_PER_S && w.entriesPerSecond() <= GOAL_ENTRIES_PER_S) {
      metGoal++;
    }
  }

  void add(ContextRuns.Crash c) {
    lost.add(c.lost());
  }

  /** Nearest-rank percentile of {@code v} (p in 0..100); NaN when empty. */
  static double percentile(List<Double> v, double p) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  /** A bucket bound in seconds as "<= N ms" (a histogram quantile is at most its bucket's bound). */
  static String ms(double seconds) {
    if (Double.isNaN(seconds)) {
      return "-";
    }
    if (Double.isInfinite(seconds)) {
      return "> max bucket";
    }
    return String.format(Locale.ROOT, "<=%.1f ms", seconds * 1000);
  }

  void print(int failed) {
    System.out.println();
    System.out.printf("| %-44s | %4s | %9s | %9s | %9s |%n", "context (store tandem)", "runs", "p50", "min", "max");
    System.out.println("|----------------------------------------------|------|-----------|-----------|-----------|");
    row("sets/s observed by the flow", setsPerS, "%.0f");
    row("Raft entries/s (applied WriteContext)", entriesPerS, "%.1f");
    row("ops per entry", opsPerEntry, "%.0f");
    List<Double> l = lost.samples().stream().map(Long::doubleValue).toList();
    row("increments lost, SIGKILL Node-RED (bound " + ContextRuns.CRASH_BOUND + ")", l, "%.0f");
    System.out.printf(Locale.ROOT, "context flush latency (agent histogram, %d flushes of all runs): p50 %s, p99 %s%n",
        latency.count(), ms(latency.quantile(0.5)), ms(latency.quantile(0.99)));
    System.out.printf(Locale.ROOT, "context goal (>= %.0f sets/s with <= %.0f Raft entries/s): met in %d of %d runs%s%n",
        GOAL_SETS_PER_S, GOAL_ENTRIES_PER_S, metGoal, setsPerS.size(), failed > 0 ? " (" + failed + " failed)" : "");
  }

  private static void row(String name, List<Double> v, String fmt) {
    System.out.printf(Locale.ROOT, "| %-44s | %4d | %9s | %9s | %9s |%n", name, v.size(),
        f(fmt, percentile(v, 50)), f(fmt, percentile(v, 0)), f(fmt, percentile(v, 100)));
  }

  private static String f(String fmt, double x) {
    return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, fmt, x);
  }

  /** The context part of the summary line. */
  String summary() {
    return String.format(Locale.ROOT, "context_sets_per_s_p50=%.0f context_entries_per_s_max=%.1f"
        + " context_flush_p50_ms=%.1f context_flush_p99_ms=%.1f context_crash_lost_max=%d",
        percentile(setsPerS, 50), percentile(entriesPerS, 100), latency.quantile(0.5) * 1000,
        latency.quantile(0.99) * 1000, lost.max());
  }
}

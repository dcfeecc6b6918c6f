package io.tandem.it.tool;

import java.util.List;
import java.util.Locale;

/** The figures of one {@link ScaleRun} level, and whether it passes the search's bound. */
record ScaleResult(int groups, int agents, double servedPerSecond, double p50Ms, double p99Ms, double maxMs,
    long shed, long deadlineExceeded, long otherErrors, long failoversWithoutFault, long leaseLost, long running,
    Stats crash, Stats silent, List<CoordinatorLoad.Figures> coordinators, long maxFollowerLag,
    long generatorGcPauses, long generatorGcTotalMs, long generatorGcMaxMs, double seconds) {

  /**
   * The search's bound: at least one silent-loss run, none failed, their p99 within the lease +
   * 300 ms, and no failover without a Node-RED fault.
   */
  static boolean passes(long silentP99Ms, int silentRuns, int silentFailures, long failoversWithoutFault,
      long leaseMillis) {
    return silentRuns > 0 && silentFailures == 0 && silentP99Ms <= leaseMillis + 300 && failoversWithoutFault == 0;
  }

  boolean passes(long leaseMillis) {
    return passes(silent.percentile(99), silent.runs(), silent.failures(), failoversWithoutFault, leaseMillis);
  }

  void print() {
    System.out.printf(Locale.ROOT, "groups %d, simulated agents %d, %.0f s%n", groups, agents, seconds);
    System.out.printf(Locale.ROOT, "heartbeats served %.0f/s; latency (answered, shed included) p50 %.1f ms, p99 %.1f ms,"
        + " max %.1f ms; shed %d, deadline misses %d, other errors %d%n", servedPerSecond, p50Ms, p99Ms, maxMs, shed,
        deadlineExceeded, otherErrors);
    System.out.printf("failovers without a Node-RED fault %d; simulated actives' self-fences %d; running at the end %d of %d%n",
        failoversWithoutFault, leaseLost, running, groups);
    System.out.printf("Node-RED group under the load: crash %s; silent loss %s%n", describe(crash), describe(silent));
    coordinators.forEach(c -> System.out.println("  " + c));
    System.out.printf("largest follower lag seen %d entries; generator GC %d pauses, total %d ms, longest %d ms%n",
        maxFollowerLag, generatorGcPauses, generatorGcTotalMs, generatorGcMaxMs);
  }

  private static String describe(Stats s) {
    return s.runs() == 0 ? "no run" + (s.failures() > 0 ? " (" + s.failures() + " failed)" : "")
        : String.format("p50 %d ms, p99 %d ms, max %d ms (%d runs%s)", s.percentile(50), s.percentile(99), s.max(),
            s.runs(), s.failures() > 0 ? ", " + s.failures() + " failed" : "");
  }

  /** The key=value fields of the summary line. */
  String summaryFields() {
    double leaderCpu = coordinators.stream().mapToDouble(CoordinatorLoad.Figures::coreShare).max().orElse(0);
    long rss = coordinators.stream().mapToLong(CoordinatorLoad.Figures::peakRssMb).max().orElse(0);
    double gcMax = coordinators.stream().mapToDouble(CoordinatorLoad.Figures::gcMaxMs).max().orElse(0);
    return String.format(Locale.ROOT, "groups=%d agents=%d served_per_s=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f "
            + "shed=%d deadline_exceeded=%d failovers_without_fault=%d lease_lost=%d crash_p99_ms=%d silent_p99_ms=%d "
            + "fault_runs_failed=%d max_coordinator_cpu_pct=%.0f max_coordinator_rss_mb=%d coordinator_gc_max_ms=%.0f "
            + "max_follower_lag=%d", groups, agents, servedPerSecond, p50Ms, p99Ms, maxMs, shed, deadlineExceeded,
        failoversWithoutFault, leaseLost, crash.percentile(99), silent.percentile(99), crash.failures() + silent.failures(),
        100 * leaderCpu, rss, gcMax, maxFollowerLag);
  }
}

package io.tandem.it.tool;

import io.tandem.it.check.HistoryChecker;
import io.tandem.it.check.Verdict;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.LocalCluster;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Repeats every fault K times on a local cluster and prints the takeover times and a summary line. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure failover on a local cluster (3 coordinators, 2 Node-RED instances with agents):",
        "K runs of each fault, then the same crash handled the way it is today (a supervisor restarts",
        "a plain Node-RED). Prints p50/p99/max of fault -> standby's first accepted witness call, and a",
        "last line 'summary ...' for scripts. Takes about 20 s per run of all faults."})
public final class BenchCommand implements Callable<Integer> {
  enum Fault { crash, hang, silent, leader, switchover }

  @Option(names = "--runs", defaultValue = "20", description = "Runs per fault (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--faults", split = ",", defaultValue = "crash,hang,silent,leader,switchover",
      description = "Faults to measure (default: ${DEFAULT-VALUE}).")
  List<Fault> faults;

  @Override
  public Integer call() throws Exception {
    if (runs < 1) {
      throw new IllegalArgumentException("--runs must be at least 1");
    }
    Map<String, Stats> table = new LinkedHashMap<>();
    Stats failovers = new Stats();
    Stats adminBack = new Stats();
    Stats baseline = new Stats();
    int violations;
    System.out.println("Starting the cluster...");
    try (LocalCluster cluster = LocalCluster.start(ClusterSpec.defaults(List.of("a", "b")).withGroup("bench"))) {
      System.out.println("work dir: " + cluster.workDir());
      FaultRuns fr = new FaultRuns(cluster);
      boolean broken = false;
      for (Fault f : faults) {
        Stats s = table.computeIfAbsent(label(f), k -> new Stats());
        for (int i = 1; i <= runs && !broken; i++) {
          try {
            switch (f) {
              case crash -> s.add(fr.crash());
              case hang -> s.add(fr.hang());
              case silent -> s.add(fr.silent());
              case switchover -> s.add(fr.switchover());
              case leader -> {
                long[] back = new long[1];
                failovers.add(fr.leaderLoss(back));
                adminBack.add(back[0]);
                s.add(back[0]);
              }
            }
            System.out.printf("  %-10s run %2d/%d: %d ms%s%n", f, i, runs, s.lastSample(),
                f == Fault.leader ? " to a new leader, " + failovers.lastSample() + " failover(s)" : "");
          } catch (RuntimeException e) {
            s.fail();
            System.out.printf("  %-10s run %2d/%d FAILED: %s%n", f, i, runs, e.getMessage());
            broken = !recover(cluster);
          }
        }
      }
      Verdict v = HistoryChecker.check(cluster.witness().calls(), HistoryChecker.Mode.STRICT);
      violations = v.violations().size();
      if (!v.ok()) {
        System.out.println(v);
      }
      try (Baseline b = new Baseline(cluster.workDir())) {
        b.start();
        for (int i = 1; i <= runs; i++) {
          baseline.add(b.run());
        }
      }
    }
    table.put("restart baseline", baseline);
    print(table, failovers, baseline);
    long lossFailovers = failovers.runs() == 0 ? 0 : sum(failovers);
    System.out.printf("summary crash_p99_ms=%d hang_p99_ms=%d silent_p99_ms=%d switchover_gap_p99_ms=%d "
        + "leader_loss_failovers=%d restart_baseline_p50_ms=%d violations=%d%n",
        p99(table, Fault.crash), p99(table, Fault.hang), p99(table, Fault.silent), p99(table, Fault.switchover),
        lossFailovers, baseline.percentile(50), violations);
    return violations == 0 ? 0 : 1;
  }

  /** After a failed run: restart whatever died and wait for a steady group; false if it never comes. */
  private static boolean recover(LocalCluster cluster) {
    cluster.coordinators().stream().filter(c -> !c.process().isAlive()).forEach(c -> c.process().start());
    cluster.agents().stream().filter(a -> !a.process().isAlive()).forEach(a -> a.process().start());
    try {
      cluster.awaitSteady(FaultRuns.STEADY);
      return true;
    } catch (RuntimeException e) {
      System.out.println("the cluster did not recover, stopping the fault runs: " + e.getMessage());
      return false;
    }
  }

  static String label(Fault f) {
    return switch (f) {
      case crash -> "crash (SIGKILL Node-RED)";
      case hang -> "hang (while(true){})";
      case silent -> "silent (SIGSTOP host)";
      case leader -> "leader loss (admin back)";
      case switchover -> "switchover gap";
    };
  }

  private static long p99(Map<String, Stats> t, Fault f) {
    Stats s = t.get(label(f));
    return s == null ? -1 : s.percentile(99);
  }

  private static long sum(Stats s) {
    long n = 0;
    for (long v : s.samples()) {
      n += v;
    }
    return n;
  }

  private static void print(Map<String, Stats> table, Stats failovers, Stats baseline) {
    System.out.println();
    System.out.printf("| %-26s | %4s | %6s | %6s | %6s | %6s |%n", "fault", "runs", "p50 ms", "p99 ms", "max ms", "failed");
    System.out.println("|----------------------------|------|--------|--------|--------|--------|");
    table.forEach((k, s) -> System.out.printf("| %-26s | %4d | %6d | %6d | %6d | %6d |%n",
        k, s.runs(), s.percentile(50), s.percentile(99), s.max(), s.failures()));
    if (failovers.runs() > 0) {
      System.out.printf("leader loss: %d Node-RED failover(s) in %d runs%n", sum(failovers), failovers.runs());
    }
    Stats crash = table.get(label(Fault.crash));
    if (crash != null && crash.runs() > 0 && baseline.runs() > 0) {
      System.out.printf("ratio restart baseline / Tandem crash takeover: p50 %.1fx, p99 %.1fx%n",
          (double) baseline.percentile(50) / Math.max(1, crash.percentile(50)),
          (double) baseline.percentile(99) / Math.max(1, crash.percentile(99)));
    }
  }
}

package io.tandem.it.tool;

import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.LocalCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The footprint row: a cluster whose agents run with the launcher's default JVM options (no
 * TANDEM_JAVA_OPTS), left idle; the active's and the standby's agent JVM are read from /proc over
 * the same window: CPU share of one core, RSS (max over 1 s samples, and at the end), threads.
 */
final class FootprintRuns {
  /** Agent JVMs get no TANDEM_JAVA_OPTS: the launcher's defaults, as on a real host. */
  static final ClusterSpec.Topology LAUNCHER_DEFAULTS = new ClusterSpec.Topology() {
    @Override
    public String javaOpts(String process, String base) {
      return process.startsWith("agent-") ? null : base;
    }
  };

  /** What one agent JVM used over the window. */
  record Result(String role, String instance, double cpuPercent, long rssMaxKb, long rssEndKb, int threads,
      long nodeRedRssKb) {
    String row() {
      return String.format(Locale.ROOT, "| footprint %-16s | %7.2f | %7d | %7d | %7d | %12d |", role + " (" + instance + ")",
          cpuPercent, rssMaxKb / 1024, rssEndKb / 1024, threads, nodeRedRssKb / 1024);
    }
  }

  static List<Result> measure(Path dir, Duration warmup, Duration window) throws IOException, InterruptedException {
    // probe timeout 1 s (forCi): on a loaded machine a 250 ms probe can kill a healthy Node-RED, and
    // this row measures an idle agent, not detection; the probe still runs every 100 ms
    ClusterSpec spec = ClusterSpec.forCi(List.of("a", "b")).withGroup("bench").withWorkDir(dir)
        .withTopology(LAUNCHER_DEFAULTS);
    try (LocalCluster cluster = LocalCluster.start(spec)) {
      System.out.println("work dir: " + cluster.workDir());
      AgentNode active = cluster.awaitSteady(FaultRuns.STEADY);
      AgentNode standby = cluster.agents().stream().filter(a -> a != active).findFirst().orElseThrow();
      System.out.printf("footprint: warming up %d s, then %d s idle (active %s pid %d, standby %s pid %d)%n",
          warmup.toSeconds(), window.toSeconds(), active.instance(), active.process().pid(), standby.instance(),
          standby.process().pid());
      Thread.sleep(warmup.toMillis());
      long tps = ProcSample.ticksPerSecond();
      long[] pids = {active.process().pid(), standby.process().pid()};
      ProcSample[] first = {ProcSample.read(pids[0]), ProcSample.read(pids[1])};
      ProcSample[] last = first.clone();
      long[] maxRss = {first[0].rssKb(), first[1].rssKb()};
      long t0 = System.nanoTime();
      long end = t0 + window.toNanos();
      while (System.nanoTime() - end < 0) {
        Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        for (int i = 0; i < 2; i++) {
          last[i] = ProcSample.read(pids[i]);
          maxRss[i] = Math.max(maxRss[i], last[i].rssKb());
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (!active.instance().equals(cluster.activeInstance())) {
        throw new IllegalStateException("the active changed during the idle window: " + cluster.describe());
      }
      AgentNode[] nodes = {active, standby};
      String[] roles = {"active", "standby"};
      Result[] r = new Result[2];
      for (int i = 0; i < 2; i++) {
        r[i] = new Result(roles[i], nodes[i].instance(), ProcSample.cpuPercent(first[i], last[i], seconds, tps),
            maxRss[i], last[i].rssKb(), last[i].threads(), nodeRedRss(pids[i]));
      }
      return List.of(r);
    }
  }

  /**
   * RSS of the Node-RED the agent launched (its child processes), for comparison; -1 if none. A
   * java descendant is the launcher's class-data training run (bin/cds.sh), not Node-RED.
   */
  private static long nodeRedRss(long agentPid) {
    return ProcessHandle.of(agentPid).stream().flatMap(ProcessHandle::descendants)
        .filter(h -> !h.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .mapToLong(h -> {
          try {
            return ProcSample.read(h.pid()).rssKb();
          } catch (IOException e) {
            return 0;
          }
        }).max().orElse(-1);
  }

  static void print(List<Result> results) {
    System.out.println();
    System.out.println("| agent JVM (idle)           | cpu %   | RSS max | RSS end | threads | Node-RED RSS |");
    System.out.println("|----------------------------|---------|---------|---------|---------|--------------|");
    results.forEach(r -> System.out.println(r.row()));
  }

  static String summary(List<Result> results) {
    Result a = results.get(0);
    Result s = results.get(1);
    return String.format(Locale.ROOT, "footprint_active_cpu_pct=%.2f footprint_active_rss_mb=%d "
        + "footprint_standby_cpu_pct=%.2f footprint_standby_rss_mb=%d", a.cpuPercent(), a.rssMaxKb() / 1024,
        s.cpuPercent(), s.rssMaxKb() / 1024);
  }
}

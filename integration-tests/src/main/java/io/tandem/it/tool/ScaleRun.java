package io.tandem.it.tool;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.tandem.bench.GcWatch;
import io.tandem.bench.SimAgents;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.LocalCluster;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.PeerInfo;
import io.tandem.tls.GrpcTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One level of {@code bin/tandem scale}: three coordinator processes (the harness's, mutual TLS,
 * the launcher's JVM defaults plus a GC log), one real Node-RED group of two agents, and G
 * groups of K simulated agents in this JVM ({@link SimAgents}, all sharing one admin certificate:
 * the coordinators let an admin call AgentService). While the simulated load runs, the real group
 * has its Node-RED crashed and its host frozen, alternately, {@code faultRuns} times each. Prints
 * a line every 10 s and returns the figures.
 */
final class ScaleRun {
  static final Duration WINDOW = Duration.ofSeconds(10);
  /** How long the load may run past --minutes for the fault runs to finish. */
  static final Duration FAULT_BUDGET = Duration.ofMinutes(10);

  record Settings(int groups, int agentsPerGroup, double rateHz, Duration duration, int faultRuns,
      long deadlineMillis, int rampSeconds, int channelsPerCoordinator, int threads) {
    long periodMillis() {
      return Math.max(1, Math.round(1000 / rateHz));
    }
  }

  private ScaleRun() {}

  static ScaleResult run(Settings s) throws Exception {
    Path dir = Files.createTempDirectory("tandem-scale-");
    ClusterSpec spec = ClusterSpec.defaults(List.of("a", "b")).withGroup("bench").withWorkDir(dir)
        .withTopology(gcLogged(dir));
    System.out.printf("%d groups x %d simulated agents at %.1f Hz (deadline %d ms, started over %d s) + 1 Node-RED "
        + "group; starting the cluster in %s...%n", s.groups(), s.agentsPerGroup(), s.rateHz(), s.deadlineMillis(),
        s.rampSeconds(), dir);
    try (LocalCluster cluster = LocalCluster.start(spec); GcWatch gc = new GcWatch()) {
      long t0 = System.nanoTime();
      createGroups(cluster, s);
      System.out.printf("created %d groups in %d ms%n", s.groups(), (System.nanoTime() - t0) / 1_000_000);
      SslContext tls = GrpcTls.client(cluster.certs().admin());
      List<String> addresses = cluster.coordinators().stream().map(c -> c.grpcAddress()).toList();
      try (SimAgents agents = new SimAgents(addresses, a -> NettyChannelBuilder.forTarget(a).sslContext(tls).build(),
          s.channelsPerCoordinator(), s.threads(), s.periodMillis(), s.deadlineMillis())) {
        for (int g = 0; g < s.groups(); g++) {
          for (int i = 0; i < s.agentsPerGroup(); i++) {
            agents.add("s" + g, "i" + i);
          }
        }
        return load(cluster, agents, gc, s, dir);
      }
    }
  }

  /** The coordinators run with the launcher's JVM defaults and a GC log; the two real agents keep the harness's small JVM. */
  private static ClusterSpec.Topology gcLogged(Path dir) {
    return new ClusterSpec.Topology() {
      @Override
      public String javaOpts(String process, String base) {
        return process.startsWith("agent-") ? base : "-Xlog:gc:file=" + CoordinatorLoad.gcLogOf(dir, process);
      }
    };
  }

  private static void createGroups(LocalCluster cluster, Settings s) throws Exception {
    List<String> instances = new ArrayList<>();
    for (int i = 0; i < s.agentsPerGroup(); i++) {
      instances.add("i" + i);
    }
    ExecutorService creators = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int g = 0; g < s.groups(); g++) {
        String name = "s" + g;
        fs.add(creators.submit(() -> cluster.admin().createGroup(name, instances)));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      creators.shutdownNow();
    }
  }

  private static ScaleResult load(LocalCluster cluster, SimAgents agents, GcWatch gc, Settings s, Path dir)
      throws Exception {
    CoordinatorLoad load = new CoordinatorLoad(cluster.coordinators(), dir);
    gc.reset();
    long start = System.nanoTime();
    agents.startAll(s.rampSeconds() * 1000L);
    Stats crash = new Stats();
    Stats silent = new Stats();
    ExecutorService faultThread = Executors.newSingleThreadExecutor();
    long maxLag = 0;
    try {
      Future<?> faults = faultThread.submit(() -> faultRuns(cluster, s, crash, silent));
      long windowStart = start;
      long answeredBefore = 0;
      long end = start + s.duration().toNanos();
      long hardEnd = end + FAULT_BUDGET.toNanos();
      while (true) {
        Thread.sleep(WINDOW.toMillis());
        long now = System.nanoTime();
        long answered = agents.answered.get();
        Lag lag = lag(cluster);
        maxLag = Math.max(maxLag, lag.max());
        System.out.printf(Locale.ROOT, "t=%ds served/s %.0f p50 %.1f p99 %.1f max %.1f ms shed %d deadline %d other %d "
                + "failovers %d lease_lost %d running %d/%d | %s | lag %s | generator gc %d/%dms | loadavg %s%n",
            (now - start) / 1_000_000_000L, (answered - answeredBefore) / ((now - windowStart) / 1e9),
            agents.window.percentileMillis(0.5), agents.window.percentileMillis(0.99), agents.window.maxMillis(),
            agents.shed.get(), agents.deadlineExceeded.get(), agents.otherErrors.get(), agents.failovers.get(),
            agents.leaseLost.get(), agents.runningCount(), s.groups(), load.window(), lag.text(), gc.count.get(),
            gc.totalMillis.get(), loadAverage());
        agents.window.reset();
        answeredBefore = answered;
        windowStart = now;
        if (now - end >= 0 && faults.isDone() || now - hardEnd >= 0) {
          break;
        }
      }
      if (!faultThread.shutdownNow().isEmpty() || !faultThread.awaitTermination(30, TimeUnit.SECONDS)) {
        System.out.println("the fault runs did not finish within the budget; stopped");
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      if (agents.otherErrors.get() > 0) {
        System.out.println("other errors by code: " + agents.otherErrorCodes());
      }
      return new ScaleResult(s.groups(), agents.size(), agents.answered.get() / elapsed,
          agents.latency.percentileMillis(0.5), agents.latency.percentileMillis(0.99), agents.latency.maxMillis(),
          agents.shed.get(), agents.deadlineExceeded.get(), agents.otherErrors.get(), agents.failovers.get(),
          agents.leaseLost.get(), agents.runningCount(), crash, silent, load.run(), maxLag, gc.count.get(),
          gc.totalMillis.get(), gc.maxMillis.get(), elapsed);
    } finally {
      faultThread.shutdownNow();
    }
  }

  /** Crash and silent loss of the real group, alternately, while the load runs. */
  private static void faultRuns(LocalCluster cluster, Settings s, Stats crash, Stats silent) {
    FaultRuns fr = new FaultRuns(cluster);
    sleepSeconds(s.rampSeconds() + 5); // the simulated agents have all started
    try {
      cluster.awaitSteady(FaultRuns.STEADY); // each run starts from an active serving and a ready standby
    } catch (RuntimeException e) {
      crash.fail();
      silent.fail();
      System.out.println("  the Node-RED group never became steady under the load: " + e.getMessage());
      return;
    }
    for (int i = 1; i <= s.faultRuns() && !Thread.currentThread().isInterrupted(); i++) {
      for (boolean isCrash : new boolean[] {true, false}) {
        Stats st = isCrash ? crash : silent;
        String name = isCrash ? "crash" : "silent";
        try {
          st.add(isCrash ? fr.crash() : fr.silent());
          System.out.printf("  %s run %d/%d: %d ms%n", name, i, s.faultRuns(), st.lastSample());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (RuntimeException e) {
          st.fail();
          System.out.printf("  %s run %d/%d FAILED: %s%n", name, i, s.faultRuns(), e.getMessage());
          if (!BenchCommand.recover(cluster)) {
            return;
          }
        }
      }
    }
  }

  /** Follower lag (entries) as the leader reports it: "c2=0 c3=1", and the largest. */
  private record Lag(String text, long max) {}

  private static Lag lag(LocalCluster cluster) {
    Optional<ClusterStatusResponse> cs = cluster.admin().tryClusterStatusFromLeader();
    if (cs.isEmpty()) {
      return new Lag("(no leader answered)", 0);
    }
    StringBuilder sb = new StringBuilder("leader " + cs.get().getLeaderId());
    long max = 0;
    for (PeerInfo p : cs.get().getPeersList()) {
      if (!p.getId().equals(cs.get().getLeaderId())) {
        sb.append(' ').append(p.getId()).append('=').append(p.getLag());
        max = Math.max(max, p.getLag());
      }
    }
    return new Lag(sb.toString(), max);
  }

  /** The machine's 1-minute load average (/proc/loadavg), "?" if unreadable: other work on the machine skews every figure. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
    } catch (java.io.IOException | RuntimeException e) {
      return "?";
    }
  }

  /** Sleeps without throwing (the fault thread checks its interrupt flag). */
  private static void sleepSeconds(long seconds) {
    try {
      Thread.sleep(seconds * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

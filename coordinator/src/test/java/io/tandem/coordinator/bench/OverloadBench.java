package io.tandem.coordinator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannelBuilder;
import io.tandem.bench.GcWatch;
import io.tandem.bench.SimAgents;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.server.CoordinatorServer;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The overload benchmark (docs/benchmarks.md, "Overload"): three in-process coordinators with the
 * default lease settings, G groups of 2 simulated agents (real AgentService heartbeats at 4 Hz,
 * 300 ms deadlines), all started at once. Prints heartbeat latency, served/s, failovers not
 * caused by a Node-RED fault, agents' self-fences, GC pauses and threads, and a {@code summary}
 * line. Runs only with {@code -Dtandem.bench=true}; {@code -Dtandem.bench.groups=G} and {@code
 * -Dtandem.bench.seconds=S} size it. Asserts only the behaviour: no failover without a fault.
 */
@EnabledIfSystemProperty(named = "tandem.bench", matches = "true")
class OverloadBench {
  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void allAgentsAtOnceBeyondTheLeadersCapacity() throws Exception {
    int groups = Integer.getInteger("tandem.bench.groups", 1000);
    int seconds = Integer.getInteger("tandem.bench.seconds", 60);
    GcWatch gc = new GcWatch();
    try (MiniCluster cluster = MiniCluster.builder().lease(LeaseSettings.DEFAULTS).start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(LONG);
      long t0 = System.nanoTime();
      ExecutorService creators = Executors.newFixedThreadPool(16);
      try {
        List<Future<?>> fs = new java.util.ArrayList<>();
        for (int i = 0; i < groups; i++) {
          String g = "g" + i;
          fs.add(creators.submit(() -> client.createGroup(g, "a", "b")));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      } finally {
        creators.shutdownNow();
      }
      System.out.printf("created %d groups in %d ms%n", groups, (System.nanoTime() - t0) / 1_000_000);

      List<String> addresses = Arrays.asList(cluster.grpcAddresses().split(","));
      try (SimAgents agents = new SimAgents(addresses,
          a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build(), 8, 4, 250, 300)) {
        for (int i = 0; i < groups; i++) {
          agents.add("g" + i, "a");
          agents.add("g" + i, "b");
        }
        double before = failoversWithoutFault(cluster);
        gc.reset();
        long start = System.nanoTime();
        agents.startAll(10);
        for (int s = 1; s <= seconds; s++) {
          Thread.sleep(1000);
          if (s % 10 == 0) {
            System.out.printf("t=%ds served %d shed %d deadline %d running %d held %d failovers %.0f%n", s,
                agents.answered.get(), agents.shed.get(), agents.deadlineExceeded.get(), agents.runningCount(),
                heldOnLeader(cluster), failoversWithoutFault(cluster) - before);
          }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double failovers = failoversWithoutFault(cluster) - before;
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        System.out.printf("agents %d (%d groups x 2) at 4 Hz, 300 ms deadline, all started within 10 ms, %d s%n",
            agents.size(), groups, seconds);
        System.out.printf("heartbeats answered %d (%.0f/s; granted %d), shed %d, deadline exceeded %d, other errors %d%n",
            agents.answered.get(), agents.answered.get() / elapsed, agents.granted.get(), agents.shed.get(),
            agents.deadlineExceeded.get(), agents.otherErrors.get());
        System.out.printf("latency of answers (incl. shed) p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
            agents.latency.percentileMillis(0.5), agents.latency.percentileMillis(0.99), agents.latency.maxMillis());
        System.out.printf("failovers without a Node-RED fault %.0f; agents' self-fences (lease lost) %d; "
            + "actives running at the end %d of %d%n", failovers, agents.leaseLost.get(), agents.runningCount(), groups);
        System.out.printf("GC (whole JVM: 3 coordinators + generator): %d pauses, total %d ms, longest %d ms; threads %d%n",
            gc.count.get(), gc.totalMillis.get(), gc.maxMillis.get(), threads);
        System.out.printf("summary groups=%d agents=%d served_per_s=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f shed=%d "
                + "deadline_exceeded=%d failovers_without_fault=%.0f lease_lost=%d gc_pause_total_ms=%d gc_pause_max_ms=%d threads=%d%n",
            groups, agents.size(), agents.answered.get() / elapsed, agents.latency.percentileMillis(0.5),
            agents.latency.percentileMillis(0.99), agents.latency.maxMillis(), agents.shed.get(),
            agents.deadlineExceeded.get(), failovers, agents.leaseLost.get(), gc.totalMillis.get(), gc.maxMillis.get(),
            threads);
        assertThat(agents.answered.get()).isPositive();
        assertThat(failovers).as("failovers without a Node-RED fault").isZero();
      }
    } finally {
      gc.close();
    }
  }

  /** Committed failovers of every cause but a Node-RED fault or the first activation. */
  private static double failoversWithoutFault(MiniCluster cluster) {
    double n = 0;
    for (int i = 0; i < cluster.size(); i++) {
      if (!cluster.isRunning(i)) {
        continue;
      }
      CoordinatorServer s = cluster.server(i);
      for (String cause : List.of("lease_expired", "lease_lost", "fenced", "revoked", "shutdown",
          "maintenance_lease_expired")) {
        n += s.metrics().failovers(cause);
      }
    }
    return n;
  }

  private static int heldOnLeader(MiniCluster cluster) {
    try {
      return cluster.leader().keeper().heldExpiries();
    } catch (RuntimeException e) {
      return -1;
    }
  }
}

package io.tandem.it.tool;

import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.CoordinatorNode;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Waits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The 'tls' row pair: the same cluster (3 coordinators, agents a and b, product timings) started
 * once with mutual TLS and once plaintext, one after the other on this machine. On each: an idle
 * window in which the agents' heartbeat round trips (their tandem_agent_heartbeat_latency
 * histogram), the heartbeats the leader served (tandem_heartbeats_total) and the leader JVM's CPU
 * time (/proc) are read, then K crash runs (SIGKILL the active's Node-RED, to the standby's first
 * accepted witness call).
 */
final class TlsRuns {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The readings of one side (TLS or plaintext). */
  record Side(String name, Stats crash, MetricsPage.Buckets heartbeatSeconds, double heartbeatsServed,
      double windowSeconds, long leaderCpuMicros) {
    double heartbeatsPerSecond() {
      return windowSeconds <= 0 ? 0 : heartbeatsServed / windowSeconds;
    }

    double leaderCoreShare() {
      return windowSeconds <= 0 ? 0 : leaderCpuMicros / 1e6 / windowSeconds;
    }

    /** Leader CPU per heartbeat served, in µs (the whole JVM: Raft ticks and appends included). */
    double leaderMicrosPerHeartbeat() {
      return heartbeatsServed <= 0 ? Double.NaN : leaderCpuMicros / heartbeatsServed;
    }
  }

  private TlsRuns() {}

  static Side measure(boolean plaintext, int runs, Duration window) throws IOException, InterruptedException {
    String name = plaintext ? "plaintext" : "mutual TLS";
    System.out.println("Starting the " + name + " cluster...");
    Path dir = Files.createTempDirectory(plaintext ? "tandem-bench-plain-" : "tandem-bench-tls-");
    try (LocalCluster cluster = LocalCluster.start(ClusterSpec.defaults(List.of("a", "b")).withGroup("bench")
        .withWorkDir(dir).withPlaintext(plaintext))) {
      System.out.println("work dir: " + cluster.workDir());
      Waits.sleep(Duration.ofSeconds(FaultRuns.COORDINATOR_WARMUP_SECONDS)); // JIT warm-up before readings
      CoordinatorNode leader = cluster.leader();
      MetricsPage.Buckets hb0 = heartbeatBuckets(cluster);
      double served0 = page(leader).sum("tandem_heartbeats_total");
      ProcSample cpu0 = ProcSample.of(leader.process().pid()).orElseThrow();
      Waits.sleep(window);
      ProcSample cpu1 = ProcSample.of(leader.process().pid()).orElseThrow();
      double served1 = page(leader).sum("tandem_heartbeats_total");
      MetricsPage.Buckets hb1 = heartbeatBuckets(cluster);
      if (!cluster.leader().id().equals(leader.id())) {
        System.out.println("  (the leader changed during the heartbeat window: its readings are partial)");
      }
      Side partial = new Side(name, new Stats(), hb1.minus(hb0), served1 - served0, (cpu1.nanos() - cpu0.nanos()) / 1e9,
          cpu1.cpuMicrosSince(cpu0));
      System.out.printf(Locale.ROOT, "  %-10s heartbeats: %d round trips, p50 %s p99 %s; leader served %.1f/s, %.1f%% of a core,"
          + " %.0f µs per heartbeat%n", name, partial.heartbeatSeconds().count(),
          ContextTable.ms(partial.heartbeatSeconds().quantile(0.5)), ContextTable.ms(partial.heartbeatSeconds().quantile(0.99)),
          partial.heartbeatsPerSecond(), 100 * partial.leaderCoreShare(), partial.leaderMicrosPerHeartbeat());
      FaultRuns fr = new FaultRuns(cluster);
      for (int i = 1; i <= runs; i++) {
        try {
          partial.crash().add(fr.crash());
          System.out.printf("  %-10s crash run %2d/%d: %d ms%n", name, i, runs, partial.crash().lastSample());
        } catch (RuntimeException e) {
          partial.crash().fail();
          System.out.printf("  %-10s crash run %2d/%d FAILED: %s%n", name, i, runs, e.getMessage());
          cluster.agents().stream().filter(a -> !a.process().isAlive()).forEach(a -> a.process().start());
          cluster.awaitSteady(FaultRuns.STEADY);
        }
      }
      return partial;
    }
  }

  private static MetricsPage.Buckets heartbeatBuckets(LocalCluster cluster) throws IOException, InterruptedException {
    MetricsPage.Buckets sum = MetricsPage.Buckets.empty();
    for (AgentNode a : cluster.agents()) {
      sum = sum.plus(get(a.apiUrl() + "metrics").buckets("tandem_agent_heartbeat_latency_seconds"));
    }
    return sum;
  }

  private static MetricsPage page(CoordinatorNode c) throws IOException, InterruptedException {
    return get("http://127.0.0.1:" + c.metricsPort() + "/metrics");
  }

  private static MetricsPage get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + r.statusCode());
    }
    return new MetricsPage(r.body());
  }

  /** The table of both sides and the verdict on the 10% bound at p99. */
  static void print(Side tls, Side plain) {
    System.out.println();
    System.out.printf("| %-10s | %4s | %8s | %8s | %8s | %6s | %9s | %9s | %8s | %7s | %8s |%n", "cluster", "runs",
        "crash p50", "crash p99", "crash max", "failed", "hb p50 ms", "hb p99 ms", "hb/s", "leader %", "µs/hb");
    System.out.println("|------------|------|-----------|-----------|-----------|--------|-----------|-----------|----------|----------|----------|");
    for (Side s : List.of(tls, plain)) {
      System.out.printf(Locale.ROOT, "| %-10s | %4d | %9d | %9d | %9d | %6d | %9s | %9s | %8.1f | %8.1f | %8.0f |%n",
          s.name(), s.crash().runs(), s.crash().percentile(50), s.crash().percentile(99), s.crash().max(),
          s.crash().failures(), msNumber(s.heartbeatSeconds().quantile(0.5)),
          msNumber(s.heartbeatSeconds().quantile(0.99)), s.heartbeatsPerSecond(), 100 * s.leaderCoreShare(),
          s.leaderMicrosPerHeartbeat());
    }
    System.out.println("(hb: the agents' heartbeat round trip, upper bound of its histogram bucket; leader %: the leader"
        + " JVM's CPU over the idle window, µs/hb: that CPU per heartbeat it served)");
    System.out.println(verdict(tls.crash(), plain.crash()));
  }

  /** "TLS costs X% at crash p99 (within / MORE than the 10% bound)". */
  static String verdict(Stats tls, Stats plain) {
    if (tls.runs() == 0 || plain.runs() == 0) {
      return "no verdict: a side has no crash samples";
    }
    double pct = 100.0 * (tls.percentile(99) - plain.percentile(99)) / Math.max(1, plain.percentile(99));
    return String.format(Locale.ROOT, "TLS vs plaintext at crash p99: %+.1f%% (%s the 10%% bound)", pct,
        pct <= 10 ? "within" : "MORE than");
  }

  /** Seconds as milliseconds with one decimal ("-" without observations, "inf" above the top bucket). */
  static String msNumber(double seconds) {
    if (Double.isNaN(seconds)) {
      return "-";
    }
    return Double.isInfinite(seconds) ? "inf" : String.format(Locale.ROOT, "%.1f", seconds * 1000);
  }

  static String summary(Side tls, Side plain) {
    return String.format(Locale.ROOT, "tls_crash_p99_ms=%d plain_crash_p99_ms=%d tls_hb_p99_ms=%s plain_hb_p99_ms=%s",
        tls.crash().percentile(99), plain.crash().percentile(99), msNumber(tls.heartbeatSeconds().quantile(0.99)),
        msNumber(plain.heartbeatSeconds().quantile(0.99)));
  }
}

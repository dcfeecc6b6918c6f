package io.tandem.it.tool;

import io.tandem.it.flows.WitnessFlow;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.Haproxy;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Nginx;
import io.tandem.it.harness.PlainNodeRed;
import io.tandem.it.harness.Waits;
import io.tandem.it.witness.Witness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The 'http' row: HTTP clients through a real haproxy running ops/haproxy/tandem.cfg, or with
 * --ingress nginx a real nginx running ops/nginx/tandem.conf (its hold hops asking the plain
 * Node-RED's route instead of an agent's /active?waitMillis on the restart side). Each run is
 * {@code ab -r -c C -t T} against the flow's http-in route with a SIGKILL of the active's Node-RED
 * {@value #CRASH_AFTER_SECONDS} s into it; then the same against a plain Node-RED (no Tandem) that a
 * loop starts again at once after its SIGKILL, behind the same config (its health check asking the
 * plain Node-RED's route instead of an agent's /active; both servers are that one Node-RED).
 */
final class HttpRuns {
  static final int CONCURRENCY = 50;
  static final int CRASH_AFTER_SECONDS = 10;
  // HTTP/1.1: Node-RED never answers an h2c upgrade request (directly or through haproxy)
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1)).build();

  private HttpRuns() {}

  /** The proxy in front of the instances: haproxy or nginx, with its shipped config. */
  enum Ingress {
    haproxy, nginx;

    String config() {
      return this == haproxy ? "ops/haproxy/tandem.cfg" : "ops/nginx/tandem.conf";
    }

    private Path shipped() {
      return this == haproxy ? Haproxy.shippedConfig() : Nginx.shippedConfig();
    }

    /** The shipped config with its /active check replaced by a plain Node-RED's route. */
    private String plainConfig() throws IOException {
      String c = Files.readString(shipped());
      String check = this == haproxy ? "option httpchk GET /active" : "/active?waitMillis=250";
      if (!c.contains(check)) {
        throw new IllegalStateException(shipped() + " no longer contains '" + check + "': update HttpRuns");
      }
      return c.replace(check, this == haproxy ? "option httpchk GET " + WitnessFlow.HTTP_PATH : WitnessFlow.HTTP_PATH);
    }

    private Running start(Path config, Haproxy.Target a, Haproxy.Target b, Path dir) {
      if (this == haproxy) {
        Haproxy h = Haproxy.start(config, a, b, dir.resolve("haproxy"));
        return new Running(h.url(), h);
      }
      Nginx n = Nginx.start(config, a, b, dir.resolve("nginx"));
      return new Running(n.url(), n);
    }
  }

  private record Running(String url, AutoCloseable proxy) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      proxy.close();
    }
  }

  record Side(String name, List<AbResult> runs) {
    long failed() {
      return runs.stream().mapToLong(AbResult::failed).sum();
    }

    long non2xx() {
      return runs.stream().mapToLong(AbResult::non2xx).sum();
    }

    long worst(java.util.function.ToLongFunction<AbResult> f) {
      return runs.stream().mapToLong(f).max().orElse(-1);
    }
  }

  static Side tandem(Ingress ingress, int runs, int seconds, boolean plaintext) throws Exception {
    System.out.println("Starting the cluster for the http row...");
    Path dir = Files.createTempDirectory("tandem-bench-http-");
    List<AbResult> results = new ArrayList<>();
    try (LocalCluster cluster = LocalCluster.start(ClusterSpec.defaults(List.of("a", "b")).withGroup("bench")
        .withWorkDir(dir).withPlaintext(plaintext));
         Running proxy = ingress.start(ingress.shipped(), target(cluster.agent("a")), target(cluster.agent("b")), dir)) {
      System.out.println("work dir: " + cluster.workDir() + ", " + ingress + " " + proxy.url());
      String url = proxy.url() + WitnessFlow.HTTP_PATH;
      awaitOk(url);
      for (int i = 1; i <= runs; i++) {
        Ab ab = Ab.start(url, CONCURRENCY, seconds, dir.resolve("ab-" + i + ".txt"));
        Waits.sleep(Duration.ofSeconds(CRASH_AFTER_SECONDS));
        AgentNode old = cluster.agent(cluster.activeInstance());
        Faults.crashNodeRed(old);
        AbResult r = ab.await(seconds);
        results.add(r);
        System.out.printf("  http tandem  run %2d/%d (killed %s): %s%n", i, runs, old.instance(), r.line());
        cluster.awaitSteady(FaultRuns.STEADY);
      }
    }
    return new Side("Tandem (crash of the active)", results);
  }

  static Side restart(Ingress ingress, int runs, int seconds) throws Exception {
    Path dir = Files.createTempDirectory("tandem-bench-http-plain-");
    List<AbResult> results = new ArrayList<>();
    Path config = dir.resolve("plain-" + ingress + ".conf");
    Files.writeString(config, ingress.plainConfig());
    try (Witness witness = new Witness(dir.resolve("witness.log"), false);
         PlainNodeRed nodeRed = new PlainNodeRed(dir.resolve("plain"), "p", witness.callUrl(), true)) {
      nodeRed.start();
      Haproxy.Target t = new Haproxy.Target(nodeRed.port(), nodeRed.port());
      try (Running proxy = ingress.start(config, t, t, dir)) {
        String url = proxy.url() + WitnessFlow.HTTP_PATH;
        awaitOk(url);
        for (int i = 1; i <= runs; i++) {
          Ab ab = Ab.start(url, CONCURRENCY, seconds, dir.resolve("ab-" + i + ".txt"));
          Waits.sleep(Duration.ofSeconds(CRASH_AFTER_SECONDS));
          nodeRed.kill();
          nodeRed.start();
          AbResult r = ab.await(seconds);
          results.add(r);
          System.out.printf("  http restart run %2d/%d: %s%n", i, runs, r.line());
          awaitOk(url);
        }
      }
    }
    return new Side("plain Node-RED restarted", results);
  }

  private static Haproxy.Target target(AgentNode a) {
    return new Haproxy.Target(a.nodeRedPort(), a.httpPort());
  }

  private static void awaitOk(String url) {
    Waits.until(url + " answers 200", Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
      try {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });
  }

  static void print(Ingress ingress, Side tandem, Side restart, int seconds) {
    System.out.println();
    System.out.printf("http through %s (%s), ab -r -c %d -t %d, SIGKILL of Node-RED after %d s:%n", ingress,
        ingress.config(), CONCURRENCY, seconds, CRASH_AFTER_SECONDS);
    System.out.printf("| %-28s | %4s | %8s | %6s | %7s | %6s | %6s | %6s |%n", "side", "runs", "requests", "failed",
        "non-2xx", "p50 ms", "p99 ms", "max ms");
    System.out.println("|------------------------------|------|----------|--------|---------|--------|--------|--------|");
    for (Side s : List.of(tandem, restart)) {
      System.out.printf(Locale.ROOT, "| %-28s | %4d | %8d | %6d | %7d | %6d | %6d | %6d |%n", s.name(), s.runs().size(),
          s.runs().stream().mapToLong(AbResult::complete).sum(), s.failed(), s.non2xx(), s.worst(AbResult::p50),
          s.worst(AbResult::p99), s.worst(AbResult::max));
    }
    System.out.println("(p50, p99, max: the worst run's)");
  }

  /** The summary fields, named http_... for haproxy and http_nginx_... for nginx. */
  static String summary(Ingress ingress, Side tandem, Side restart) {
    String p = ingress == Ingress.haproxy ? "http" : "http_nginx";
    return String.format(Locale.ROOT, (p + "_runs=%d " + p + "_failed=%d " + p + "_non2xx=%d " + p + "_p99_ms=%d "
            + p + "_max_ms=%d " + p + "_restart_failed=%d " + p + "_restart_non2xx=%d " + p + "_restart_max_ms=%d"),
        tandem.runs().size(), tandem.failed(), tandem.non2xx(), tandem.worst(AbResult::p99), tandem.worst(AbResult::max),
        restart.failed(), restart.non2xx(), restart.worst(AbResult::max));
  }
}

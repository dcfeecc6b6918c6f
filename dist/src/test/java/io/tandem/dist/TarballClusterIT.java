package io.tandem.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.it.harness.Ports;
import io.tandem.it.harness.ProcessRegistry;
import io.tandem.it.harness.Repo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docs/install.md, automated on loopback: unpack target/tandem-VERSION.tar.gz, start three
 * coordinators and one agent (with a real Node-RED) from its bin/ with its default JVM options and
 * configs derived from its conf/ examples, check tandemctl status and group create from the
 * tarball, check that every metric the ops/ dashboard and alerts use is served, and stop everything
 * with SIGTERM. Every process is killed by PID at the end, also when a step failed (and by the
 * harness's shutdown hook and parent-death signal if this JVM dies).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TarballClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private static final Duration START = Duration.ofSeconds(120);
  private static final List<String> IDS = List.of("c1", "c2", "c3");

  private Path work;
  private Path home;
  private final Map<String, Process> coordinators = new LinkedHashMap<>();
  private final Map<String, Integer> metricsPorts = new LinkedHashMap<>();
  private final List<String> grpc = new ArrayList<>();
  private Process agent;
  private int agentHttpPort;

  @BeforeAll
  void unpackAndStartCoordinators() throws Exception {
    work = Path.of(System.getProperty("tandem.build.dir", "target")).toAbsolutePath().resolve("tarball-it");
    deleteTree(work);
    Files.createDirectories(work);
    Path tarball = Path.of(System.getProperty("tandem.tarball", "target/tandem.tar.gz"));
    assertThat(tarball).as("the tarball built by mvn package").isRegularFile();
    run(work, Duration.ofSeconds(60), "tar", "xzf", tarball.toString(), "-C", work.toString());
    try (Stream<Path> s = Files.list(work)) {
      home = s.filter(p -> p.getFileName().toString().startsWith("tandem-")).findFirst().orElseThrow();
    }
    for (String f : List.of("bin/tandem-coordinator", "bin/tandem-agent", "bin/tandemctl")) {
      assertThat(home.resolve(f)).isExecutable();
    }
    for (String f : List.of("conf/coordinator.yaml", "conf/agent.yaml", "systemd/tandem-coordinator.service",
        "systemd/tandem-agent.service", "docs/install.md", "ops/grafana/tandem.json", "ops/prometheus/tandem-rules.yml")) {
      assertThat(home.resolve(f)).isRegularFile();
    }

    Map<String, int[]> ports = new LinkedHashMap<>();
    for (String id : IDS) {
      ports.put(id, new int[] {Ports.free(), Ports.free(), Ports.free()}); // raft, grpc, metrics
      grpc.add("127.0.0.1:" + ports.get(id)[1]);
    }
    // mutual TLS as shipped: the tarball's own tandemctl makes the CA and certificates
    Path tls = work.resolve("tls");
    assertThat(ctl("certs", "init", "--dir", tls.toString()).code()).isZero();
    for (String id : IDS) {
      assertThat(ctl("certs", "issue", "--dir", tls.toString(), "--role", "peer", "--id", id).code()).isZero();
    }
    assertThat(ctl("certs", "issue", "--dir", tls.toString(), "--role", "agent", "--group", "line-1", "--instance", "plc-a").code()).isZero();
    assertThat(ctl("certs", "issue", "--dir", tls.toString(), "--role", "admin", "--name", "ops").code()).isZero();
    String example = Files.readString(home.resolve("conf/coordinator.yaml"));
    for (String id : IDS) {
      String yaml = replace(example, "/etc/tandem/tls/", tls + "/");
      yaml = replace(yaml, "peer-c1.", "peer-" + id + ".");
      for (int i = 0; i < IDS.size(); i++) {
        int[] p = ports.get(IDS.get(i));
        yaml = replace(yaml, "coordinator-" + (i + 1) + ".example:7201", "127.0.0.1:" + p[0]);
        yaml = replace(yaml, "coordinator-" + (i + 1) + ".example:7101", "127.0.0.1:" + p[1]);
      }
      yaml = replace(yaml, "nodeId: c1", "nodeId: " + id);
      yaml = replace(yaml, "dataDir: /var/lib/tandem/coordinator", "dataDir: " + work.resolve(id + "-data"));
      yaml = replace(yaml, "metrics: 0.0.0.0:7301", "metrics: 127.0.0.1:" + ports.get(id)[2]);
      Path cfg = Files.writeString(work.resolve(id + ".yaml"), yaml);
      metricsPorts.put(id, ports.get(id)[2]);
      coordinators.put(id, start(id, home.resolve("bin/tandem-coordinator").toString(), "--config", cfg.toString()));
    }
  }

  @AfterAll
  void killEverything() {
    Stream.concat(Stream.ofNullable(agent), coordinators.values().stream())
        .forEach(p -> ProcessRegistry.killTree(p.toHandle()));
  }

  @Test
  @Order(1)
  void statusFromTheTarballShowsALeaderAndThreePeers() throws Exception {
    JsonNode status = until("a leader and three peers in tandemctl status --json", START, () -> {
      assertAllAlive();
      Ctl r = ctl("--json", "status");
      if (r.code != 0) {
        return Optional.empty();
      }
      JsonNode s = parse(r.out);
      return s.path("leader").asText().isEmpty() || s.path("peers").size() != 3 ? Optional.empty() : Optional.of(s);
    });
    assertThat(IDS).contains(status.path("leader").asText());
    List<String> peers = new ArrayList<>();
    status.path("peers").forEach(p -> peers.add(p.path("id").asText()));
    assertThat(peers).containsExactlyInAnyOrderElementsOf(IDS);
    List<String> roles = new ArrayList<>();
    status.path("peers").forEach(p -> roles.add(p.path("role").asText()));
    assertThat(roles).containsOnlyOnce("LEADER");

    Ctl table = ctl("status");
    assertThat(table.code).as(table.out).isZero();
    assertThat(table.out).contains("leader " + status.path("leader").asText());
  }

  @Test
  @Order(2)
  void groupCreatedWithTandemctlGetsTheAgentFromTheTarballAsActive() throws Exception {
    Ctl created = ctl("group", "create", "line-1", "--instance", "plc-a:10", "--instance", "plc-b:5");
    assertThat(created.code).as(created.out).isZero();
    assertThat(created.out).contains("created group line-1 with 2 instance(s)");

    agentHttpPort = Ports.free();
    String yaml = Files.readString(home.resolve("conf/agent.yaml"));
    yaml = replace(yaml, "/etc/tandem/tls/", work.resolve("tls") + "/");
    yaml = replace(yaml, "  - coordinator-1.example:7101\n  - coordinator-2.example:7101\n  - coordinator-3.example:7101\n",
        grpc.stream().map(a -> "  - " + a + "\n").reduce("", String::concat));
    yaml = replace(yaml, "http: 127.0.0.1:7401", "http: 127.0.0.1:" + agentHttpPort);
    // a loaded 2-core CI machine can miss 250 ms probes while Node-RED boots (as in ClusterSpec.forCi)
    yaml = replace(yaml, "  timeout: 250ms", "  timeout: 1s");
    yaml = replace(yaml, "command: [node, /usr/local/lib/node_modules/node-red/red.js]",
        "command: [node, \"" + Repo.redJs() + "\"]");
    yaml = replace(yaml, "userDir: /var/lib/tandem/node-red", "userDir: \"" + work.resolve("node-red-plc-a") + "\"");
    yaml = replace(yaml, "  host: 0.0.0.0", "  host: 127.0.0.1");
    yaml = replace(yaml, "port: 1880", "port: " + Ports.free());
    Path cfg = Files.writeString(work.resolve("agent.yaml"), yaml);
    agent = start("agent", home.resolve("bin/tandem-agent").toString(), "--config", cfg.toString());

    JsonNode group = until("plc-a active in group line-1", START, () -> {
      assertAllAlive();
      Ctl r = ctl("--json", "status");
      if (r.code != 0) {
        return Optional.empty();
      }
      for (JsonNode g : parse(r.out).path("groups")) {
        if (g.path("name").asText().equals("line-1") && g.path("active").asText().equals("plc-a")) {
          return Optional.of(g);
        }
      }
      return Optional.empty();
    });
    assertThat(group.path("token").asLong()).isPositive();
    // the launchers' default JVM options applied (TANDEM_JAVA_OPTS is unset for these processes)
    assertThat(agent.toHandle().info().arguments().map(List::of).orElse(List.of())).contains("-Xmx96m", "-XX:+UseSerialGC");
    assertThat(coordinators.get("c1").toHandle().info().arguments().map(List::of).orElse(List.of()))
        .contains("-Xmx256m", "-XX:+UseG1GC");
  }

  @Test
  @Order(3)
  void everyMetricTheDashboardAndTheAlertsUseIsServed() throws Exception {
    Map<String, Set<String>> used = OpsMetricNames.used();
    assertThat(used).as("metric names found in ops/").hasSizeGreaterThanOrEqualTo(15);
    // counters with labels appear with their first increment (failovers with the first activation,
    // heartbeat latency buckets with the first answer): allow a few seconds
    Set<String> exposed = until("every metric of ops/ in /metrics", Duration.ofSeconds(30), () -> {
      Set<String> names = new TreeSet<>();
      metricsPorts.values().forEach(p -> names.addAll(OpsMetricNames.exposed(get("http://127.0.0.1:" + p + "/metrics"))));
      names.addAll(OpsMetricNames.exposed(get("http://127.0.0.1:" + agentHttpPort + "/metrics")));
      return names.containsAll(used.keySet()) ? Optional.of(names) : Optional.empty();
    }, () -> {
      Set<String> names = new TreeSet<>();
      metricsPorts.values().forEach(p -> names.addAll(OpsMetricNames.exposed(get("http://127.0.0.1:" + p + "/metrics"))));
      names.addAll(OpsMetricNames.exposed(get("http://127.0.0.1:" + agentHttpPort + "/metrics")));
      Map<String, Set<String>> missing = new LinkedHashMap<>(used);
      missing.keySet().removeAll(names);
      return "not served by the coordinators or the agent (name: used in): " + missing
          + "; served: " + names.stream().filter(n -> n.startsWith("tandem_")).toList();
    });
    assertThat(exposed).containsAll(used.keySet());
    assertThat(get("http://127.0.0.1:" + agentHttpPort + "/metrics"))
        .containsPattern("tandem_agent_role\\{[^}]*role=\"active\"[^}]*\\} 1");
  }

  @Test
  @Order(4)
  void sigtermStopsTheAgentWithItsNodeRedAndThenTheCoordinators() throws Exception {
    List<ProcessHandle> nodeRed = agent.toHandle().descendants().toList();
    assertThat(nodeRed).as("the agent's Node-RED").isNotEmpty();
    agent.destroy(); // SIGTERM
    assertThat(agent.waitFor(20, TimeUnit.SECONDS)).as("agent exits within 20 s of SIGTERM").isTrue();
    assertThat(agent.exitValue()).as("agent exit code after SIGTERM").isIn(0, 143);
    for (ProcessHandle h : nodeRed) {
      assertThat(h.onExit().completeOnTimeout(h, 10, TimeUnit.SECONDS).get().isAlive())
          .as("Node-RED pid %d stopped with the agent", h.pid()).isFalse();
    }
    for (Map.Entry<String, Process> c : coordinators.entrySet()) {
      c.getValue().destroy();
      assertThat(c.getValue().waitFor(20, TimeUnit.SECONDS)).as("%s exits within 20 s of SIGTERM", c.getKey()).isTrue();
      assertThat(c.getValue().exitValue()).as("%s exit code after SIGTERM", c.getKey()).isIn(0, 143);
    }
  }

  // --- helpers

  private record Ctl(int code, String out) {}

  private Ctl ctl(String... args) {
    List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/tandemctl").toString(),
        "--coordinators", String.join(",", grpc)));
    Path tls = work.resolve("tls");
    cmd.addAll(List.of("--ca", tls.resolve("ca.crt").toString(), "--cert", tls.resolve("admin-ops.crt").toString(),
        "--key", tls.resolve("admin-ops.key").toString()));
    cmd.addAll(List.of(args));
    try {
      return run(work, Duration.ofSeconds(30), cmd.toArray(String[]::new));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run tandemctl", e);
    }
  }

  private Process start(String name, String... cmd) {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
        .redirectOutput(work.resolve(name + ".log").toFile());
    pb.environment().remove("TANDEM_JAVA_OPTS"); // the launchers' defaults, as on a real host
    return ProcessRegistry.start(pb);
  }

  private void assertAllAlive() {
    coordinators.forEach((id, p) -> assertThat(p.isAlive()).as("%s running; its log: %s", id, tail(id)).isTrue());
    if (agent != null) {
      assertThat(agent.isAlive()).as("agent running; its log: %s", tail("agent")).isTrue();
    }
  }

  private String tail(String name) {
    try {
      List<String> lines = Files.readAllLines(work.resolve(name + ".log"));
      return String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + name + ".log: " + e.getMessage() + ")";
    }
  }

  private static Ctl run(Path dir, Duration timeout, String... cmd) throws IOException {
    Path out = Files.createTempFile(dir, "cmd-", ".out");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        ProcessRegistry.killTree(p.toHandle());
        throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeout.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ProcessRegistry.killTree(p.toHandle());
      throw new AssertionError("interrupted", e);
    }
    String text = Files.readString(out);
    Files.delete(out);
    return new Ctl(p.exitValue(), text);
  }

  private static String replace(String text, String from, String to) {
    assertThat(text).as("the example config contains %s (changed? update this test and docs/install.md)", from)
        .contains(from);
    return text.replace(from, to);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  private static String get(String url) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return r.statusCode() == 200 ? r.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static <T> T until(String what, Duration timeout, Supplier<Optional<T>> check) {
    return until(what, timeout, check, () -> "");
  }

  private static <T> T until(String what, Duration timeout, Supplier<Optional<T>> check, Supplier<String> why) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> v = check.get();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s " + why.get());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

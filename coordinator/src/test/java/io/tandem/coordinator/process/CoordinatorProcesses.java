package io.tandem.coordinator.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.coordinator.testing.FreePorts;
import io.tandem.coordinator.testing.TestCerts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A cluster of bin/tandem-coordinator processes on loopback (free ports), each with its own
 * YAML file, data dir and log in {@code work}; tandemctl runs against all of them or one.
 * Everything started is killed by {@link #close()} (and by the fixture's shutdown hook). Mutual
 * TLS unless made {@link #plaintext}: peer certificates per node, tandemctl with an admin one.
 */
final class CoordinatorProcesses implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path work;
  final ProcessFixture fixture;
  private final int n;
  private final List<Integer> ports;
  private final Process[] running;
  private final TestCerts certs; // null: plaintext (tls: {insecure: true}, tandemctl --insecure)

  /** {@code n} coordinators with mutual TLS. */
  CoordinatorProcesses(Path work, int n) throws IOException {
    this(work, n, false);
  }

  /** {@code n} plaintext coordinators (tls: {insecure: true}): for tests about plaintext. */
  static CoordinatorProcesses plaintext(Path work, int n) throws IOException {
    return new CoordinatorProcesses(work, n, true);
  }

  private CoordinatorProcesses(Path work, int n, boolean plaintext) throws IOException {
    this.work = work;
    this.certs = plaintext ? null : new TestCerts(work.resolve("certs"));
    this.fixture = new ProcessFixture(work);
    this.n = n;
    this.ports = FreePorts.pick(2 * n);
    this.running = new Process[n];
    for (int i = 0; i < n; i++) {
      writeConfig(i, peersYaml());
    }
  }

  String id(int i) {
    return "c" + (i + 1);
  }

  int raftPort(int i) {
    return ports.get(2 * i);
  }

  String grpc(int i) {
    return "127.0.0.1:" + ports.get(2 * i + 1);
  }

  String allGrpc() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(grpc(i));
    }
    return String.join(",", all);
  }

  Path config(int i) {
    return work.resolve(id(i) + ".yaml");
  }

  Path dataDir(int i) {
    return work.resolve(id(i) + "-data");
  }

  Path log(int i) {
    return work.resolve(id(i) + ".log");
  }

  /** The peers list every node is configured with. */
  String peersYaml() {
    StringBuilder peers = new StringBuilder("peers:\n");
    for (int i = 0; i < n; i++) {
      peers.append(String.format("  - {id: %s, raft: 127.0.0.1:%d, grpc: %s}%n", id(i), raftPort(i), grpc(i)));
    }
    return peers.toString();
  }

  /** (Re)writes node {@code i}'s config with the given peers section. */
  void writeConfig(int i, String peersYaml) throws IOException {
    Files.writeString(config(i), "nodeId: " + id(i) + "\ndataDir: " + dataDir(i) + "\n" + peersYaml
        + (certs == null ? "tls: {insecure: true}\n" : certs.peerYaml(id(i))));
  }

  void startAll() throws IOException {
    for (int i = 0; i < n; i++) {
      start(i);
    }
  }

  /** Starts node {@code i}; its output is appended to its log. */
  Process start(int i) throws IOException {
    Path log = log(i);
    if (Files.exists(log)) {
      Files.writeString(log, "----- restarted\n", java.nio.file.StandardOpenOption.APPEND);
    }
    ProcessBuilder pb = new ProcessBuilder(fixture.script("tandem-coordinator").toString(), "--config",
        config(i).toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    running[i] = fixture.start(pb);
    return running[i];
  }

  Process process(int i) {
    return running[i];
  }

  /** SIGTERM (a graceful stop) and wait for the exit; returns the exit code. */
  int stop(int i) throws InterruptedException {
    Process p = running[i];
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      ProcessFixture.kill(p);
      throw new AssertionError(id(i) + " did not stop within 30 s of SIGTERM" + logTails());
    }
    return p.exitValue();
  }

  ProcessFixture.Result ctl(String... args) throws Exception {
    return ctlAt(allGrpc(), args);
  }

  /**
   * Runs a tandemctl create until it succeeds, retrying (bounded) while no leader answers (exit
   * 2: an election in progress, which on a loaded machine can take seconds after a start).
   */
  ProcessFixture.Result ctlWrite(Duration bound, String... args) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    ProcessFixture.Result r = ctl(args);
    boolean retried = false;
    while (r.exitCode() == 2 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      r = ctl(args);
      retried = true;
    }
    // an earlier attempt whose outcome was unknown may have created it
    boolean doneBefore = retried && r.exitCode() == 1 && r.err().contains("already exists");
    if (r.exitCode() != 0 && !doneBefore) {
      throw new AssertionError("tandemctl " + String.join(" ", args) + ": " + r + logTails());
    }
    return r;
  }

  ProcessFixture.Result ctlAt(String coordinators, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(fixture.script("tandemctl").toString()));
    command.addAll(tlsArgs());
    command.addAll(List.of("--coordinators", coordinators));
    command.addAll(List.of(args));
    return fixture.run(work, 60, command.toArray(String[]::new));
  }

  /** tandemctl's TLS options for this cluster: the admin certificate, or --insecure. */
  List<String> tlsArgs() {
    return certs == null ? List.of("--insecure") : certs.adminArgs();
  }

  /** Polls tandemctl --json status at {@code coordinators} until {@code condition} holds. */
  JsonNode statusUntil(String coordinators, String what, Duration bound, Predicate<JsonNode> condition)
      throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    ProcessFixture.Result last = null;
    while (System.nanoTime() < deadline) {
      last = ctlAt(coordinators, "--json", "status");
      if (last.exitCode() == 0) {
        JsonNode s = JSON.readTree(last.out());
        if (condition.test(s)) {
          return s;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no " + what + " within " + bound.toSeconds() + " s; last tandemctl: " + last + logTails());
  }

  static List<String> groupNames(JsonNode status) {
    List<String> names = new ArrayList<>();
    status.get("groups").forEach(g -> names.add(g.get("name").asText()));
    return names;
  }

  static JsonNode peer(JsonNode status, String id) {
    for (JsonNode p : status.get("peers")) {
      if (p.get("id").asText().equals(id)) {
        return p;
      }
    }
    throw new AssertionError("no peer " + id + " in " + status);
  }

  /** Waits (bounded) until node {@code i}'s log contains {@code text}. */
  void logUntil(int i, String text, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!sinceLastStart(logText(i)).contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no \"" + text + "\" in " + log(i) + " within " + bound.toSeconds() + " s" + logTails());
      }
      Thread.sleep(50);
    }
  }

  private static String sinceLastStart(String log) {
    int at = log.lastIndexOf("----- restarted");
    return at < 0 ? log : log.substring(at);
  }

  /** Every node's log, concatenated. */
  String allLogs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(logText(i));
    }
    return b.toString();
  }

  String logText(int i) throws IOException {
    return Files.exists(log(i)) ? Files.readString(log(i)) : "";
  }

  String logTails() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      try {
        List<String> lines = Files.exists(log(i)) ? Files.readAllLines(log(i)) : List.of();
        b.append("\n--- ").append(log(i).getFileName()).append(" (last 40 lines)\n");
        lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
      } catch (IOException e) {
        b.append("\n--- ").append(log(i).getFileName()).append(": ").append(e.getMessage());
      }
    }
    return b.toString();
  }

  @Override
  public void close() {
    fixture.close();
  }
}

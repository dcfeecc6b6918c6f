package io.tandem.it.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.tandem.it.flows.ContextCounterFlow;
import io.tandem.it.flows.EditorDeploy;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.CoordinatorNode;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Waits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Context-store runs on a steady cluster (issue 10's benchmark):
 * <ul>
 *   <li>{@link #sustained}: a function node on the active sets {@code global.bench_(i % keys)} in
 *       store {@code tandem} as fast as it can for a while (chunks of {@value #CHUNK_MILLIS} ms,
 *       each followed by {@code setTimeout(0)} so that the runtime stays responsive); the flow
 *       reports the sets it made, and the /metrics pages say how many Raft entries (applied
 *       WriteContext calls, summed over the coordinators) and agent flushes they became, and the
 *       flush latency;
 *   <li>{@link #crashLoss}: {@link ContextCounterFlow} (a counter every 10 ms) on the active,
 *       SIGKILL of its Node-RED, and the increments the new active does not continue from, as
 *       ContextFailoverIT measures them.
 * </ul>
 * The cluster must have been started with {@link ContextCounterFlow#writeSettings} in each
 * instance's userDir (the counter needs {@code fs}).
 */
final class ContextRuns {
  static final String ID_PREFIX = "benchctx.";
  static final String PATH = "bench-context";
  static final int CHUNK_MILLIS = 5;
  static final long FLUSH_MS = 50;
  /** As ContextFailoverIT: the flush window in counter periods, plus the tick the process died in. */
  static final long CRASH_BOUND = FLUSH_MS / ContextCounterFlow.PERIOD_MILLIS + 1;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final LocalCluster cluster;
  private final Path dir;

  /** One sustained-write run. */
  record Sustained(long sets, long flowMillis, double entries, double flushes, double ops, MetricsPage.Buckets latency) {
    double setsPerSecond() {
      return sets * 1000.0 / Math.max(1, flowMillis);
    }

    /** Entries over the flow's own time (the drain after it counts too: conservative). */
    double entriesPerSecond() {
      return entries * 1000.0 / Math.max(1, flowMillis);
    }
  }

  /** One crash run: the old active's last value, the value the new active continued from. */
  record Crash(long reached, long committed) {
    long lost() {
      return reached - committed;
    }
  }

  ContextRuns(LocalCluster cluster, Path dir) {
    this.cluster = cluster;
    this.dir = dir;
  }

  /** The function node's code: sets until {@code msg.req.query.ms} passed, then answers {sets, ms}. */
  static String loop() {
    return String.join("\n",
        "const keys = Number(msg.req.query.keys) || 1000;",
        "const ms = Number(msg.req.query.ms) || 2000;",
        "const t0 = Date.now();",
        "let i = 0;",
        "function chunk() {",
        "  const end = Date.now() + " + CHUNK_MILLIS + ";",
        "  try {",
        "    while (Date.now() < end) {",
        "      for (let j = 0; j < 50; j++) { global.set(\"bench_\" + (i % keys), i, \"tandem\"); i++; }",
        "    }",
        "  } catch (e) {",
        "    msg.statusCode = 500;",
        "    msg.payload = { error: String(e && e.message || e), sets: i };",
        "    node.send(msg);",
        "    return;",
        "  }",
        "  if (Date.now() - t0 < ms) { setTimeout(chunk, 0); return; }",
        "  msg.payload = { sets: i, ms: Date.now() - t0 };",
        "  node.send(msg);",
        "}",
        "chunk();",
        "return null;");
  }

  /** {@code current}'s flows without this class's tab and the counter tab, plus the loop tab, plus the counter if asked. */
  ArrayNode flows(JsonNode current, boolean withCounter) {
    ArrayNode base = JSON.createArrayNode();
    for (JsonNode n : current.path("flows")) {
      String id = n.path("id").asText("");
      String z = n.path("z").asText("");
      if (!id.startsWith(ID_PREFIX) && !ContextCounterFlow.TAB.equals(id) && !ContextCounterFlow.TAB.equals(z)) {
        base.add(n.deepCopy());
      }
    }
    base.addObject().put("id", ID_PREFIX + "tab").put("type", "tab").put("label", "bench context");
    base.addObject().put("id", ID_PREFIX + "in").put("type", "http in").put("z", ID_PREFIX + "tab")
        .put("url", "/" + PATH).put("method", "get").putArray("wires").addArray().add(ID_PREFIX + "fn");
    base.addObject().put("id", ID_PREFIX + "fn").put("type", "function").put("z", ID_PREFIX + "tab")
        .put("func", loop()).put("outputs", 1).put("timeout", 0)
        .putArray("wires").addArray().add(ID_PREFIX + "out");
    base.addObject().put("id", ID_PREFIX + "out").put("type", "http response").put("z", ID_PREFIX + "tab")
        .putArray("wires");
    if (!withCounter) {
      return base;
    }
    return ContextCounterFlow.addTo(JSON.createObjectNode().set("flows", base), dir, false);
  }

  private void deploy(boolean withCounter) throws IOException, InterruptedException {
    AgentNode active = cluster.agent(cluster.activeInstance());
    JsonNode current = EditorDeploy.current(active.editorUrl(), Duration.ofSeconds(10));
    EditorDeploy.Answer a = EditorDeploy.post(active.editorUrl(), current.path("rev").asText(""),
        flows(current, withCounter), Duration.ofSeconds(30));
    if (!a.deployed()) {
      throw new IOException("the deploy of the context bench flows answered " + a.status() + ": " + a.message());
    }
    cluster.awaitSteady(FaultRuns.STEADY);
  }

  /** Sets for {@code length} on the active, over {@code keys} keys; what the flow and the metrics saw. */
  Sustained sustained(Duration length, int keys) throws IOException, InterruptedException {
    deploy(false);
    AgentNode active = cluster.agent(cluster.activeInstance());
    MetricsPage agentBefore = page(active.apiUrl() + "metrics");
    double entriesBefore = coordinatorWrites();
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(active.editorUrl() + PATH + "?ms="
            + length.toMillis() + "&keys=" + keys)).timeout(length.plusSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /" + PATH + " on " + active.instance() + " answered " + r.statusCode() + ": " + r.body());
    }
    JsonNode out = JSON.readTree(r.body());
    MetricsPage agentAfter = drained(active);
    double entries = coordinatorWrites() - entriesBefore;
    return new Sustained(out.path("sets").asLong(), out.path("ms").asLong(), entries,
        agentAfter.sum("tandem_context_flushes_total") - agentBefore.sum("tandem_context_flushes_total"),
        agentAfter.sum("tandem_context_ops_total") - agentBefore.sum("tandem_context_ops_total"),
        agentAfter.buckets("tandem_context_flush_latency_seconds")
            .minus(agentBefore.buckets("tandem_context_flush_latency_seconds")));
  }

  /** The agent's page once its committed ops stopped growing for 500 ms (every set delivered and flushed). */
  private static MetricsPage drained(AgentNode active) throws IOException, InterruptedException {
    MetricsPage last = page(active.apiUrl() + "metrics");
    long stableSince = System.nanoTime();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() - stableSince < Duration.ofMillis(500).toNanos() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      MetricsPage now = page(active.apiUrl() + "metrics");
      if (now.sum("tandem_context_ops_total") != last.sum("tandem_context_ops_total")) {
        stableSince = System.nanoTime();
      }
      last = now;
    }
    return last;
  }

  /** Applied WriteContext calls, summed over the coordinators (each counts those it answered as leader). */
  private double coordinatorWrites() throws IOException, InterruptedException {
    double n = 0;
    for (CoordinatorNode c : cluster.coordinators()) {
      n += page("http://127.0.0.1:" + c.metricsPort() + "/metrics")
          .sum("tandem_context_writes_total", "outcome=\"applied\"");
    }
    return n;
  }

  /** Counter on the active, SIGKILL of its Node-RED, the new active's first value. */
  Crash crashLoss() throws IOException, InterruptedException {
    deploy(true);
    io.tandem.proto.admin.GroupView g = cluster.group();
    AgentNode old = cluster.agent(g.getActive());
    AgentNode next = cluster.agent(g.getInstancesList().stream().map(i -> i.getId())
        .filter(id -> !id.equals(g.getActive())).findFirst().orElseThrow());
    int nextMark = ContextCounterFlow.values(dir, next.instance()).size();
    awaitCount(old.instance(), ContextCounterFlow.values(dir, old.instance()).size(), 50);
    Faults.crashNodeRed(old);
    List<Long> after = awaitCount(next.instance(), nextMark, 5);
    List<Long> oldValues = ContextCounterFlow.values(dir, old.instance());
    Crash c = new Crash(oldValues.get(oldValues.size() - 1), after.get(nextMark) - 1);
    cluster.awaitSteady(FaultRuns.STEADY);
    deploy(false); // the counter stops: the other rows run without it
    return c;
  }

  private List<Long> awaitCount(String instance, int from, int n) {
    Waits.until(instance + " counting in the tandem store", Duration.ofSeconds(30), Duration.ofMillis(10),
        () -> ContextCounterFlow.values(dir, instance).size() >= from + n ? Optional.of(true) : Optional.empty());
    return ContextCounterFlow.values(dir, instance);
  }

  private static MetricsPage page(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + r.statusCode());
    }
    return new MetricsPage(r.body());
  }
}

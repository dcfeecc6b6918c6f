package io.tandem.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.AgentConfig;
import io.tandem.agent.config.HookSettings;
import io.tandem.common.config.HostPort;
import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.http.AgentSnapshot;
import io.tandem.agent.nodered.NodeRedAdminClient;
import io.tandem.agent.nodered.NodeRedSettings;
import io.tandem.agent.nodered.UserDirLayout;
import io.tandem.coordinator.testing.FreePorts;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.admin.GroupView;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * End-to-end fixture: a real 3-node coordinator cluster in this JVM, one group, and agents that
 * launch real Node-RED processes. Every agent runs the same flows: an inject every 50 ms appends
 * "instance token" to one shared file, and http-in GET /ping answers 200 while the flows run.
 * {@link #close()} closes agents (killing their Node-RED), the cluster and the temp folder.
 */
final class AgentHarness implements AutoCloseable {
  static final Duration LONG = Duration.ofSeconds(40);
  /** The credentialSecret every instance's settings.js sets. */
  static final String CREDENTIAL_SECRET = "tandem-test-credential-secret";
  /**
   * Probes more tolerant than the defaults (100 ms / 250 ms / 3 misses): on a loaded 2-core CI
   * machine a healthy Node-RED can miss a 250 ms deadline three times; a real hang is still found.
   */
  static final Duration PROBE_INTERVAL = Duration.ofMillis(100);
  static final Duration PROBE_TIMEOUT = Duration.ofMillis(1000);
  private final Path root;
  private final MiniCluster cluster;
  private final TestClient client;
  private final String group;
  private final Map<String, Agent> agents = new LinkedHashMap<>();
  private final Map<String, TestClient> perPeer = new java.util.concurrent.ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private AgentHarness(Path root, MiniCluster cluster, String group) {
    this.root = root;
    this.cluster = cluster;
    this.client = new TestClient(cluster.grpcAddresses());
    this.group = group;
  }

  /** Starts the cluster and creates the group with {@code instances} (first = highest priority). */
  static AgentHarness start(String group, String... instances) throws IOException {
    return start(null, group, instances);
  }

  /** As {@link #start(String, String...)}, with the coordinators' lease settings ({@code null}: defaults). */
  static AgentHarness start(io.tandem.coordinator.config.LeaseSettings lease, String group, String... instances)
      throws IOException {
    Path root = Files.createTempDirectory("tandem-agent-test-");
    MiniCluster cluster = lease == null ? MiniCluster.start(3) : MiniCluster.builder().lease(lease).start();
    AgentHarness h = new AgentHarness(root, cluster, group);
    try {
      cluster.waitForLeader(LONG);
      h.client.createGroup(group, instances);
      return h;
    } catch (RuntimeException e) {
      h.close();
      throw e;
    }
  }

  /** Starts the cluster and creates the all-active group {@code group} with {@code instances}. */
  static AgentHarness startAllActive(String group, String... instances) throws IOException {
    Path root = Files.createTempDirectory("tandem-agent-test-");
    MiniCluster cluster = MiniCluster.start(3);
    AgentHarness h = new AgentHarness(root, cluster, group);
    try {
      cluster.waitForLeader(LONG);
      io.tandem.proto.admin.CreateGroupRequest.Builder b = io.tandem.proto.admin.CreateGroupRequest.newBuilder()
          .setRequestId(java.util.UUID.randomUUID().toString()).setGroup(group)
          .setMode(io.tandem.proto.state.GroupMode.ALL_ACTIVE);
      for (int i = 0; i < instances.length; i++) {
        b.addInstances(io.tandem.proto.state.InstanceSpec.newBuilder().setId(instances[i])
            .setHost("127.0.0.1").setPriority(instances.length - i));
      }
      h.client.admin(st -> st.createGroup(b.build()));
      return h;
    } catch (RuntimeException e) {
      h.close();
      throw e;
    }
  }

  /** The coordinators' view: a fresh heartbeat of {@code instance} said ready (loaded, stopped). */
  boolean readyOnCoordinators(String instance) {
    return leaderView().getInstancesList().stream()
        .anyMatch(i -> i.getId().equals(instance) && i.getReady());
  }

  /**
   * The group as the Raft leader sees it. Readiness is known on the leader only, and a follower
   * answers admin reads too, so a client that stayed on a peer that lost the leadership would
   * never see a standby ready.
   */
  GroupView leaderView() {
    int leader = cluster.leaderIndex();
    TestClient c = leader < 0 ? client
        : perPeer.computeIfAbsent(cluster.grpcAddress(leader), TestClient::new);
    return c.group(group);
  }

  TestClient client() {
    return client;
  }

  MiniCluster cluster() {
    return cluster;
  }

  Path hooksFile() {
    return root.resolve("hooks.txt");
  }

  List<String> hookLines() {
    try {
      return Files.exists(hooksFile()) ? Files.readAllLines(hooksFile()) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  Path outFile() {
    return root.resolve("out.txt");
  }

  static Path redJs() {
    String dir = System.getProperty("tandem.nodered.dir");
    assertThat(dir).as("system property tandem.nodered.dir (set by the build)").isNotBlank();
    Path red = Path.of(dir, "node_modules", "node-red", "red.js");
    assertThat(red).as("Node-RED installed by bin/install-node-red").exists();
    return red;
  }

  /** Starts an agent for {@code instance} whose Node-RED runs the test flows. */
  Agent startAgent(String instance) throws IOException {
    return startAgent(instance, null, null, LeaseSettings.defaults());
  }

  /** As {@link #startAgent(String)}, with the agent's own lease settings. */
  Agent startAgent(String instance, LeaseSettings lease) throws IOException {
    return startAgent(instance, null, null, lease);
  }

  /**
   * Starts an agent for {@code instance} whose Node-RED runs {@code flows} (written to flows.json)
   * with {@code userSettings} as its settings.js (null: none; give flowFile "flows.json").
   */
  Agent startAgent(String instance, String flows, String userSettings) throws IOException {
    return startAgent(instance, flows, userSettings, LeaseSettings.defaults());
  }

  private Agent startAgent(String instance, String flows, String userSettings, LeaseSettings lease)
      throws IOException {
    // every agent's hooks append "EVENT INSTANCE TOKEN" to hooks.txt
    String hook = "echo \"$TANDEM_EVENT $TANDEM_INSTANCE $TANDEM_TOKEN\" >> '" + hooksFile() + "'";
    Path userDir = root.resolve(instance);
    Files.createDirectories(userDir);
    Path flowsFile = new UserDirLayout(userDir).flowsFile();
    if (flows != null) {
      Files.writeString(flowsFile, flows);
    } else if (!Files.exists(flowsFile)) {
      Files.writeString(flowsFile, Flows.appender(instance, outFile()));
    }
    // every instance of a group shares one credentialSecret (docs/agent.md); a restarted agent keeps its userDir
    Path settingsJs = new UserDirLayout(userDir).userSettingsFile();
    if (userSettings != null) {
      Files.writeString(settingsJs, userSettings);
    } else if (!Files.exists(settingsJs)) {
      Files.writeString(settingsJs, "module.exports = { credentialSecret: \"" + CREDENTIAL_SECRET + "\" };\n");
    }
    int port = FreePorts.pick(1).get(0);
    NodeRedSettings nr = new NodeRedSettings(NodeRedSettings.Mode.LAUNCH,
        List.of("node", redJs().toString()), userDir, "127.0.0.1", port, List.of(), Map.of("TANDEM_INSTANCE", instance),
        null, userDir.resolve("tandem-agent.token"), PROBE_INTERVAL, PROBE_TIMEOUT, 3, null, null);
    AgentConfig cfg = new AgentConfig(group, instance, "127.0.0.1",
        Arrays.asList(cluster.grpcAddresses().split(",")), new HostPort("127.0.0.1", 0),
        lease, nr, new HookSettings(hook, hook, Duration.ofSeconds(5)));
    Agent agent = new Agent(cfg);
    agents.put(instance, agent);
    agent.start();
    return agent;
  }

  /** The userDir of {@code instance}'s Node-RED. */
  Path userDir(String instance) {
    return root.resolve(instance);
  }

  /** Closes the agent of {@code instance} (its Node-RED with it); {@link #startAgent} starts it again. */
  void stopAgent(String instance) {
    Agent a = agents.remove(instance);
    if (a != null) {
      a.close();
    }
  }

  Agent agent(String instance) {
    return agents.get(instance);
  }

  /** The agent whose snapshot says it runs the flows as the committed active with a lease. */
  Optional<Agent> active() {
    long now = System.nanoTime();
    return agents.values().stream().filter(a -> a.snapshot().activeNow(now)).findFirst();
  }

  /**
   * Waits until one agent runs flows as the active and every other agent's Node-RED is a ready
   * spare known to the coordinators, and returns the active. Whichever instance it is: on a
   * loaded machine an unplanned failover (a slow probe taken for a hang) may happen before a
   * test injects its fault, and a test must start from the steady state, not from a guess. The
   * group then also has its first flows revision (the active's import), loaded by every spare.
   */
  Agent awaitSteady(Duration timeout) {
    try {
      await("one active instance and ready spares", timeout, () -> {
        Optional<Agent> a = active();
        // every agent's userDir has a flows file: steady includes the first active's import of it.
        // One view answers both: readiness is judged against the revision that view shows, so a
        // standby that was ready before the import committed is not taken as ready after it.
        GroupView g = leaderView();
        return a.isPresent() && g.getCurrentRevision() > 0 && agents.values().stream()
            .filter(x -> x != a.get())
            .allMatch(x -> runtimeIs(x, "STANDBY") && x.snapshot().role().equals("standby")
                && g.getInstancesList().stream().anyMatch(i -> i.getId().equals(x.config().instance())
                    && i.getReady() && i.getLoadedRevision() == g.getCurrentRevision()));
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; " + describeGroup(), e);
    }
    return active().orElseThrow();
  }

  /** The coordinators' view of the group and every agent's own, for failure messages. */
  String describeGroup() {
    StringBuilder b = new StringBuilder();
    try {
      var g = leaderView();
      b.append("group: active ").append(g.getActive()).append(" token ").append(g.getToken())
          .append(" revision ").append(g.getCurrentRevision());
      g.getInstancesList().forEach(i -> b.append("; ").append(i.getId()).append(" ready ").append(i.getReady())
          .append(" loaded ").append(i.getLoadedRevision()).append(" ").append(i.getNotReadyReason()));
    } catch (RuntimeException e) {
      b.append("group view unavailable: ").append(e.getMessage());
    }
    agents.values().forEach(a -> b.append("; agent ").append(describe(a)));
    return b.toString();
  }

  Agent awaitActive(Duration timeout) {
    await("an active instance", timeout, () -> active().isPresent());
    return active().orElseThrow();
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
      }
      sleep(5);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static boolean runtimeIs(Agent a, String state) {
    return state.equals(a.snapshot().runtimeState());
  }

  /** Lines written by the flows so far (instance and token). */
  List<String> lines() {
    try {
      return Files.exists(outFile()) ? Files.readAllLines(outFile()) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  long linesFrom(String instance) {
    return lines().stream().filter(l -> l.startsWith(instance + " ")).count();
  }

  /** GET on the agent's local API; returns the HTTP status. */
  int agentHttp(Agent a, String path) throws Exception {
    return get("http://127.0.0.1:" + a.httpPort() + path);
  }

  /** GET /ping on the agent's Node-RED (an http-in route of the test flows). */
  int ping(Agent a) throws Exception {
    return get(a.config().nodeRed().baseUrl().resolve("ping").toString());
  }

  /** GET on the agent's Node-RED (http-in routes of the flows); returns status and body. */
  HttpResponse<String> nodeRedGet(Agent a, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(a.config().nodeRed().baseUrl().resolve(path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A deploy as Node-RED's editor sends it: POST /flows, API v2, a full deployment of {@code flows}
   * (an array, nodes may carry "credentials"), with {@code rev} when not null. No agent token: the
   * harness's Node-RED has no adminAuth, so the editor is open as it is for a user.
   */
  HttpResponse<String> editorDeploy(Agent a, String flows, String rev) throws Exception {
    String body = "{\"flows\":" + flows + (rev == null ? "" : ",\"rev\":\"" + rev + "\"") + "}";
    return http.send(HttpRequest.newBuilder(a.config().nodeRed().baseUrl().resolve("flows"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("Node-RED-API-Version", "v2")
        .header("Node-RED-Deployment-Type", "full")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** GET /flows (v2) as the editor loads them: {"flows": [...], "rev": "..."}. */
  HttpResponse<String> editorFlows(Agent a) throws Exception {
    return http.send(HttpRequest.newBuilder(a.config().nodeRed().baseUrl().resolve("flows"))
        .timeout(Duration.ofSeconds(10)).header("Node-RED-API-Version", "v2").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private int get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  NodeRedAdminClient adminClient(Agent a) throws IOException {
    String token = Files.readString(a.config().nodeRed().tokenFile()).trim();
    return new NodeRedAdminClient(a.config().nodeRed().baseUrl(), token);
  }

  static String describe(Agent a) {
    AgentSnapshot s = a.snapshot();
    return s.instance() + ": role " + s.role() + ", runtime " + s.runtimeState() + ", token "
        + s.token() + ", fenced " + s.fencedToken() + ", last: " + s.lastReason();
  }

  @Override
  public void close() {
    List<Throwable> errors = new ArrayList<>();
    for (Agent a : agents.values()) {
      try {
        a.close();
      } catch (RuntimeException e) {
        errors.add(e);
      }
    }
    client.close();
    perPeer.values().forEach(TestClient::close);
    cluster.close();
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      errors.add(e);
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException("cleanup failed: " + errors);
    }
  }
}

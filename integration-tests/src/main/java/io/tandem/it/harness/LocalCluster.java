package io.tandem.it.harness;

import io.tandem.it.flows.WitnessFlow;
import io.tandem.it.witness.Witness;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.GroupView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole Tandem deployment on loopback: three coordinator processes, one agent per instance (each
 * launching a real Node-RED running {@link WitnessFlow}), the fencing {@link Witness}, and the group.
 * Every process is killed by {@link #close()} (and by the {@link ProcessRegistry} shutdown hook).
 */
public final class LocalCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
  public static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final ClusterSpec spec;
  private final Path workDir;
  private final Witness witness;
  private final List<CoordinatorNode> coordinators = new ArrayList<>();
  private final List<CoordinatorNode> retired = new ArrayList<>();
  private final List<AgentNode> agents = new ArrayList<>();
  private final AdminRpc admin;
  private final HarnessCerts certs;
  private final List<String> registeredCsvs = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile long lastStartNanos;

  private LocalCluster(ClusterSpec spec) throws IOException {
    this.spec = spec;
    this.workDir = spec.workDir() != null ? Files.createDirectories(spec.workDir())
        : Files.createTempDirectory("tandem-e2e-");
    this.witness = new Witness(workDir.resolve("witness.log"), true);
    for (int i = 1; i <= 3; i++) {
      coordinators.add(new CoordinatorNode("c" + i, workDir));
    }
    for (String id : spec.instances()) {
      agents.add(new AgentNode(id, workDir));
    }
    this.certs = HarnessCerts.in(workDir.resolve("certs"));
    this.admin = new AdminRpc(coordinators.stream().map(CoordinatorNode::grpcAddress).toList(), tls(certs.admin()));
    registerCerts(coordinatorsCsv());
  }

  /** {@code t}, or plaintext when the spec asks for it ({@link ClusterSpec#plaintext()}). */
  private io.tandem.common.tls.TlsSettings tls(io.tandem.common.tls.TlsSettings t) {
    return spec.plaintext() ? io.tandem.common.tls.TlsSettings.plaintext() : t;
  }

  /** Starts everything, creates the group and waits until one instance calls the witness. */
  public static LocalCluster start(ClusterSpec spec) {
    return create(spec, LocalCluster::boot);
  }

  /** A new cluster in its own work dir, started by {@code startup}; closed again if that fails. */
  private static LocalCluster create(ClusterSpec spec, java.util.function.Consumer<LocalCluster> startup) {
    LocalCluster c;
    try {
      c = new LocalCluster(spec);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the work dir", e);
    }
    try {
      startup.accept(c);
      return c;
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  /**
   * Starts the three coordinators and every agent at once, as a user starting all hosts together
   * would: no wait for a leader or a loaded Node-RED, and no group (the caller creates it). Returns
   * the cluster; {@link #lastStartNanos()} is when the last process was started.
   */
  public static LocalCluster launchAll(ClusterSpec spec) {
    return create(spec, c -> {
      LOG.info("starting every process of a Tandem cluster at once in {}", c.workDir);
      for (CoordinatorNode n : c.coordinators) {
        c.launch(n, c.coordinators, false);
      }
      c.launchAgents();
      c.lastStartNanos = System.nanoTime();
    });
  }

  /** System.nanoTime() right after the last process of {@link #launchAll} or {@link #startAll} started. */
  public long lastStartNanos() {
    return lastStartNanos;
  }

  /** SIGKILLs every agent (with its Node-RED) and every coordinator; data dirs and userDirs stay. */
  public void stopAll() {
    agents.forEach(a -> a.process().kill());
    coordinators.forEach(c -> c.process().kill());
  }

  /**
   * After {@link #stopAll}: starts every coordinator and agent again at once (coordinators first, as
   * {@link #launchAll}). Returns System.nanoTime() right after the last start.
   */
  public long startAll() {
    coordinators.forEach(c -> c.process().start());
    agents.forEach(a -> a.process().start());
    lastStartNanos = System.nanoTime();
    return lastStartNanos;
  }

  private void boot() {
    LOG.info("starting a Tandem cluster in {}", workDir);
    for (CoordinatorNode n : coordinators) {
      launch(n, coordinators, false);
    }
    Waits.until("a coordinator leader", START_TIMEOUT, Duration.ofMillis(100), () -> {
      coordinators.forEach(n -> n.process().assertAlive());
      return admin.tryClusterStatus();
    });
    launchAgents();
    for (AgentNode a : agents) {
      Waits.until(a.instance() + "'s Node-RED loaded as a standby", START_TIMEOUT, Duration.ofMillis(100),
          () -> {
            a.process().assertAlive();
            return a.status().filter(s -> "STANDBY".equals(s.runtime())).map(s -> true);
          });
    }
    admin.createGroup(spec.group(), spec.instances(), spec.mode());
    if (spec.allActive()) {
      enableLockFlows();
      awaitLocksSteady(START_TIMEOUT);
      LOG.info("cluster ready: all-active group {}, locks {}", spec.group(), describeLocks());
      return;
    }
    awaitSteady(START_TIMEOUT);
    LOG.info("cluster ready: {} active in group {}", activeInstance(), spec.group());
  }

  /** Writes every agent's flows and config and starts it (its Node-RED with it). */
  private void launchAgents() {
    Path redJs = spec.nodeRedDir() == null ? Repo.redJs() : spec.nodeRedDir().resolve("node_modules/node-red/red.js");
    List<String> grpc = coordinators.stream().map(CoordinatorNode::grpcAddress).toList();
    for (AgentNode a : agents) {
      if (spec.allActive()) {
        io.tandem.it.flows.LockFlow.writeTo(a.userDir(), spec.lockKeys(), true); // enabled by a deploy below
      } else {
        WitnessFlow.writeTo(a.userDir(), spec.hangRoute());
      }
      // an agent that dials proxies must not learn (and use) the coordinators' real addresses
      List<String> dialed = spec.topology().coordinatorsForAgent(a.instance(), grpc);
      Path cfg = ConfigWriter.agent(workDir, a, dialed, dialed.equals(grpc), spec, redJs, Map.of(WitnessFlow.ENV_URL, witness.callUrl(), WitnessFlow.ENV_INSTANCE, a.instance()),
          tls(certs.agent(spec.group(), a.instance())));
      a.attach(new ManagedProcess("agent-" + a.instance(), List.of(Repo.launcher("tandem-agent").toString(),
          "--config", cfg.toString()), env("agent-" + a.instance()), workDir, workDir.resolve("agent-" + a.instance() + ".log")));
      a.process().start();
    }
  }

  /** Creates the group of the spec (retried while there is no leader yet). */
  public void createGroup() {
    admin.createGroup(spec.group(), spec.instances(), spec.mode());
  }

  private void launch(CoordinatorNode n, List<CoordinatorNode> peers, boolean join) {
    Path cfg = ConfigWriter.coordinator(workDir, n, peers, spec, tls(certs.peer(n.id())));
    if (join) {
      try {
        Files.writeString(cfg, "join: true\n", java.nio.file.StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + cfg, e);
      }
    }
    n.attach(new ManagedProcess(n.id(), List.of(Repo.launcher("tandem-coordinator").toString(), "--config",
        cfg.toString()), env(n.id()), workDir, workDir.resolve(n.id() + ".log")));
    n.process().start();
  }

  /**
   * Starts a new coordinator process {@code id} with an empty data dir and a config whose peers are
   * the running coordinators minus {@code replacing}, plus itself, and {@code join: true}; it joins the cluster once
   * {@code tandemctl members add} adds it. From now on it is one of {@link #coordinators()}.
   */
  public CoordinatorNode startNewCoordinator(String id, CoordinatorNode replacing) {
    CoordinatorNode n = new CoordinatorNode(id, workDir);
    List<CoordinatorNode> peers = new ArrayList<>(coordinators);
    peers.remove(replacing);
    peers.add(n);
    launch(n, peers, true);
    coordinators.add(n);
    registerCerts(n.grpcAddress()); // tandemctl pointed at the new coordinator alone finds the certificates too
    return n;
  }

  /** Registers this cluster's certificates for tandemctl runs against {@code csv}; unregistered at close. */
  private void registerCerts(String csv) {
    if (spec.plaintext()) {
      return; // tandemctl finds no certificates and runs with --insecure
    }
    certs.register(csv);
    registeredCsvs.add(csv);
  }

  /** A coordinator removed from the cluster (tandemctl members remove): no longer one of {@link #coordinators()}. */
  public void retire(CoordinatorNode c) {
    coordinators.remove(c);
    retired.add(c);
  }

  /** TANDEM_JAVA_OPTS and extra environment of one process, from the topology. */
  private Map<String, String> env(String process) {
    Map<String, String> env = new java.util.HashMap<>(spec.topology().environment(process));
    String opts = spec.topology().javaOpts(process, spec.javaOpts());
    if (opts != null) { // null: the launcher's own defaults
      env.put("TANDEM_JAVA_OPTS", opts);
    }
    return env;
  }

  public ClusterStatusResponse awaitLeader(Duration timeout) {
    return Waits.until("a coordinator leader", timeout, Duration.ofMillis(100), admin::tryClusterStatus);
  }

  /** Waits until the leader sees every peer replicating with a lag of at most 2 entries. */
  public void awaitPeersCaughtUp(Duration timeout) {
    Waits.until("every coordinator caught up with the leader", timeout, Duration.ofMillis(100),
        () -> admin.tryClusterStatusFromLeader().filter(s -> s.getPeersCount() == coordinators.size()
            && s.getPeersList().stream().allMatch(p -> p.getLag() >= 0 && p.getLag() <= 2)));
  }

  /** Waits until a coordinator other than {@code formerLeader} leads (e.g. after killing the leader). */
  public ClusterStatusResponse awaitLeaderOtherThan(String formerLeader, Duration timeout) {
    return Waits.until("a leader other than " + formerLeader, timeout, Duration.ofMillis(20),
        () -> admin.tryClusterStatus().filter(s -> !s.getLeaderId().equals(formerLeader)
            && !s.getAnsweredBy().equals(formerLeader)));
  }

  /**
   * Waits until the group has an active whose flows the witness accepted under the current token
   * (after this call began), and every other agent that is running is a ready standby, all seen in
   * one consistent reading. Returns the active's agent.
   */
  public AgentNode awaitSteady(Duration timeout) {
    int from = witness.size();
    try {
      return steady(from, timeout);
    } catch (HarnessException e) {
      throw new HarnessException(e.getMessage() + "; now: " + describe() + " (logs in " + workDir + ")", e);
    }
  }

  private AgentNode steady(int from, Duration timeout) {
    return Waits.until("a steady group " + spec.group() + " (an active serving the witness, ready standbys)",
        timeout, Duration.ofMillis(50), () -> {
          Optional<GroupView> g = admin.tryGroup(spec.group()).filter(x -> !x.getActive().isEmpty());
          if (g.isEmpty()) {
            return Optional.empty();
          }
          AgentNode active = agent(g.get().getActive());
          long token = g.get().getToken();
          boolean serving = witness.callsSince(from).stream()
              .anyMatch(c -> c.accepted() && c.token() == token && c.instance().equals(active.instance()));
          boolean standbysReady = agents.stream()
              .filter(a -> a != active && a.process() != null && a.process().isAlive())
              .allMatch(a -> isReady(g.get(), a.instance()) && a.status().map(AgentStatus::isReadyStandby).orElse(false));
          // every userDir has the witness flows: steady includes the first active's import of them
          boolean onARevision = g.get().getCurrentRevision() > 0;
          return serving && standbysReady && onARevision ? Optional.of(active) : Optional.empty();
        });
  }

  /**
   * All-active: waits until every lock key of the spec is held, the witness accepted a call for each
   * key from its holder under the lock's current token (after this call began), and every agent that
   * is running is ready, all in one reading. Returns the locks by key.
   */
  public Map<String, io.tandem.proto.admin.LockView> awaitLocksSteady(Duration timeout) {
    int from = witness.size();
    try {
      return Waits.until("every lock of " + spec.group() + " held and serving the witness", timeout,
          Duration.ofMillis(50), () -> {
            Optional<GroupView> g = admin.tryGroup(spec.group());
            if (g.isEmpty()) {
              return Optional.empty();
            }
            Map<String, io.tandem.proto.admin.LockView> held = new java.util.TreeMap<>();
            g.get().getLocksList().stream().filter(l -> !l.getHolder().isEmpty()).forEach(l -> held.put(l.getKey(), l));
            if (!held.keySet().containsAll(spec.lockKeys())) {
              return Optional.empty();
            }
            List<io.tandem.it.witness.WitnessCall> calls = witness.callsSince(from);
            boolean serving = spec.lockKeys().stream().allMatch(k -> calls.stream().anyMatch(c -> c.accepted()
                && c.key().equals(k) && c.token() == held.get(k).getToken()
                && c.instance().equals(held.get(k).getHolder())));
            boolean ready = agents.stream().filter(a -> a.process() != null && a.process().isAlive())
                .allMatch(a -> isReady(g.get(), a.instance()));
            return serving && ready ? Optional.of(Map.copyOf(held)) : Optional.empty();
          });
    } catch (HarnessException e) {
      throw new HarnessException(e.getMessage() + "; now: " + describe() + "; locks: " + describeLocks()
          + " (logs in " + workDir + ")", e);
    }
  }

  /**
   * All-active: once every instance runs the (disabled) lock flows as a member, one deploy through
   * the first instance's editor enables them, so that every instance wants the keys at about the
   * same moment and the keys spread (a key wanted by one instance alone goes to it, and stays).
   */
  private void enableLockFlows() {
    // Each one running the group's current revision, not its own local flows: the first instance
    // to come up imports its flows.json as the group's first revision and the others reload it; a
    // deploy through an editor that still shows the local flows is (rightly) refused as a revision
    // conflict (CI: the deploy reached a's editor 50 ms before a's reload of revision 3).
    Waits.until("every instance of " + spec.group() + " running the group's flows as a member", START_TIMEOUT,
        Duration.ofMillis(100), () -> {
          Optional<GroupView> g = admin.tryGroup(spec.group());
          boolean all = g.isPresent() && g.get().getCurrentRevision() > 0 && agents.stream().allMatch(a ->
              isReady(g.get(), a.instance()) && loadedRevision(g.get(), a.instance()) == g.get().getCurrentRevision()
                  && a.status().map(s -> "RUNNING".equals(s.runtime())).orElse(false));
          return all ? Optional.of(true) : Optional.empty();
        });
    String url = agents.get(0).editorUrl();
    try {
      com.fasterxml.jackson.databind.JsonNode current = io.tandem.it.flows.EditorDeploy.current(url, Duration.ofSeconds(10));
      com.fasterxml.jackson.databind.node.ArrayNode flows = (com.fasterxml.jackson.databind.node.ArrayNode)
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(io.tandem.it.flows.LockFlow.json(spec.lockKeys()));
      io.tandem.it.flows.EditorDeploy.Answer a = io.tandem.it.flows.EditorDeploy.post(url,
          current.path("rev").asText(""), flows, Duration.ofSeconds(30));
      if (!a.deployed()) {
        throw new HarnessException("the deploy enabling the lock flows through " + url + " was refused: " + a.status()
            + " " + a.message() + "; now: " + describe() + " (logs in " + workDir + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot deploy the lock flows through " + url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HarnessException("interrupted while deploying the lock flows");
    }
  }

  /** The group's locks as "key=holder@token" (free: "key=-"), for messages. */
  public String describeLocks() {
    return admin.tryGroup(spec.group()).map(g -> String.join(" ", g.getLocksList().stream()
        .map(l -> l.getKey() + "=" + (l.getHolder().isEmpty() ? "-" : l.getHolder() + "@" + l.getToken())).toList()))
        .orElse("(no leader)");
  }

  /** One line on the state of the group and of every agent, for failure messages. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    admin.tryGroup(spec.group()).ifPresentOrElse(g -> {
      sb.append("group ").append(g.getName()).append(" active=").append(g.getActive()).append(" token=")
          .append(g.getToken()).append(" revision=").append(g.getCurrentRevision());
      g.getInstancesList().forEach(i -> sb.append("; ").append(i.getId()).append(": runtime=").append(i.getRuntime())
          .append(" ready=").append(i.getReady()).append(" loaded=").append(i.getLoadedRevision())
          .append(i.getNotReadyReason().isEmpty() ? "" : " (" + i.getNotReadyReason() + ")").append(" fenced=").append(i.getFencedToken())
          .append(" heartbeatAge=").append(i.getHeartbeatAgeMillis()).append("ms"));
    }, () -> sb.append("group unknown (no leader?)"));
    for (AgentNode a : agents) {
      sb.append("; agent ").append(a.instance()).append(": ")
          .append(a.status().map(Object::toString).orElse(a.process().isAlive() ? "no answer" : "not running"));
    }
    return sb.toString();
  }

  private static long loadedRevision(GroupView g, String instance) {
    return g.getInstancesList().stream().filter(i -> i.getId().equals(instance))
        .mapToLong(i -> i.getLoadedRevision()).findFirst().orElse(-1);
  }

  private static boolean isReady(GroupView g, String instance) {
    return g.getInstancesList().stream().anyMatch(i -> i.getId().equals(instance) && i.getReady());
  }

  public String activeInstance() {
    return admin.group(spec.group()).getActive();
  }

  /** The group as the coordinators see it now. */
  public GroupView group() {
    return admin.group(spec.group());
  }

  /** The coordinator that is the Raft leader now. */
  public CoordinatorNode leader() {
    String id = awaitLeader(Duration.ofSeconds(30)).getLeaderId();
    return coordinators.stream().filter(c -> c.id().equals(id)).findFirst()
        .orElseThrow(() -> new HarnessException("leader " + id + " is not one of " + coordinators));
  }

  public AgentNode agent(String instance) {
    return agents.stream().filter(a -> a.instance().equals(instance)).findFirst()
        .orElseThrow(() -> new HarnessException("no agent for instance \"" + instance + "\""));
  }

  public Optional<AgentNode> standby() {
    String active = activeInstance();
    return agents.stream().filter(a -> !a.instance().equals(active)).findFirst();
  }

  public String coordinatorsCsv() {
    return String.join(",", coordinators.stream().map(CoordinatorNode::grpcAddress).toList());
  }

  public List<CoordinatorNode> coordinators() {
    return List.copyOf(coordinators);
  }

  public List<AgentNode> agents() {
    return List.copyOf(agents);
  }

  public Witness witness() {
    return witness;
  }

  public AdminRpc admin() {
    return admin;
  }

  public Path workDir() {
    return workDir;
  }

  /** The cluster's CA and certificates (mutual TLS is on). */
  public HarnessCerts certs() {
    return certs;
  }

  public String groupName() {
    return spec.group();
  }

  @Override
  public void close() {
    for (AgentNode a : agents) {
      if (a.process() != null) {
        a.process().kill();
      }
    }
    for (CoordinatorNode c : coordinators) {
      if (c.process() != null) {
        c.process().kill();
      }
    }
    for (CoordinatorNode c : retired) {
      if (c.process() != null) {
        c.process().kill();
      }
    }
    admin.close();
    registeredCsvs.forEach(certs::unregister);
    witness.close();
    LOG.info("cluster stopped; logs in {}", workDir);
  }
}

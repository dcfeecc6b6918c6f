package io.tandem.agent;

import io.tandem.agent.config.AgentConfig;
import io.tandem.agent.context.ContextAgent;
import io.tandem.agent.control.ContextPort;
import io.tandem.agent.http.HttpRoute;
import java.util.ArrayList;
import io.tandem.agent.groupdata.GroupData;
import io.tandem.agent.nodered.TokenFile;
import io.tandem.agent.nodered.UserDirLayout;
import java.io.UncheckedIOException;
import java.net.URI;
import io.tandem.agent.hooks.HookRunner;
import io.tandem.agent.http.AgentHttpServer;
import io.tandem.agent.http.AgentMetrics;
import io.tandem.agent.http.AgentSnapshot;
import io.tandem.agent.link.CoordinatorLink;
import io.tandem.agent.link.LinkListener;
import io.tandem.agent.nodered.NodeRedRuntime;
import io.tandem.agent.nodered.NodeRedRuntimes;
import io.tandem.agent.control.CoordinatorPort;
import io.tandem.agent.control.Reconciler;
import io.tandem.agent.nodered.NodeRedSettings;
import io.tandem.common.time.StopTimes;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent: supervises a Node-RED runtime, talks to the coordinators, runs the reconcile loop and
 * serves the local HTTP API. {@link #start()} returns at once; {@link #close()} stops the flows
 * (reporting SHUTDOWN), then the runtime.
 *
 * <p>Shutdown has one path, {@link #close()}: on a signal (AgentMain), by an embedder, or from the
 * JVM shutdown hook that {@link #start()} registers. Its order is fixed: stop the flows gracefully
 * (bounded by stopBudget, killing Node-RED if the stop is not confirmed), report SHUTDOWN, then
 * stop Node-RED (SIGTERM, SIGKILL after nodeRed.stopTimeout). The runtime's own kill-on-exit hook waits for this path and only kills what is
 * left if it did not finish within {@link #closeBound()}.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private final AgentConfig config;
  private final NodeRedRuntime runtime;
  private final AgentMetrics metrics;
  private final HookRunner hooks;
  private final CoordinatorLink link;
  private final Reconciler reconciler;
  private final AtomicReference<Future<Boolean>> lastReport = new AtomicReference<>();
  private final CompletableFuture<Void> closedDone = new CompletableFuture<>();
  private final Thread exitHook = new Thread(this::close, "tandem-agent-shutdown");
  private final GroupData groupData;
  private final ContextAgent context;
  private final RuntimeRestarts restarts;
  private final io.tandem.agent.locks.Locks locks;
  private final String agentToken;
  private AgentHttpServer http;
  private boolean closed;
  /** Set when close() begins: from then on heartbeats say this instance cannot take over. */
  private volatile boolean stopping;

  public Agent(AgentConfig config) {
    this.config = config;
    this.runtime = NodeRedRuntimes.create(config.nodeRed());
    this.restarts = new RuntimeRestarts(runtime, config.nodeRed().installs());
    this.metrics = new AgentMetrics(config.group(), config.instance());
    this.hooks = new HookRunner(config.hooks(), config.group(), config.instance());
    LinkListener listener = new LinkListener() {
      @Override
      public void onHeartbeat(long sentAtNanos, HeartbeatResponse response) {
        if (context() != null && response.hasAssignment()) {
          context().onAssignment(response.getAssignment());
        }
        reconciler().onHeartbeat(sentAtNanos, response);
        if (response.hasRestart()) {
          restarts().onRequest(response.getRestart(), reconciler().snapshot());
        }
        learnCoordinators(response);
        if (groupData() != null && response.hasAssignment()) {
          groupData().onAssignment(response.getAssignment());
        }
      }

      @Override
      public void onGroupUpdate(GroupUpdate update) {
        onGroupUpdate(update, java.util.OptionalLong.empty());
      }

      @Override
      public void onGroupUpdate(GroupUpdate update, java.util.OptionalLong leaseSentAtNanos) {
        if (context() != null) {
          context().onGroupUpdate(update);
        }
        reconciler().onGroupUpdate(update, leaseSentAtNanos);
        if (groupData() != null && update.hasAssignment()) {
          groupData().onAssignment(update.getAssignment());
        }
      }
    };
    this.link = new CoordinatorLink(config.coordinators(), config.tls(), config.group(), config.instance(),
        config.lease(), this::heartbeatRequest, listener, metrics);
    CoordinatorPort port = new CoordinatorPort() {
      @Override
      public void heartbeatNow() {
        link.heartbeatNow();
      }

      @Override
      public void reportFenced(long token, FenceReason reason, String detail) {
        lastReport.set(link.reportFenced(token, reason, detail));
      }

      @Override
      public void reportFenced(long token, FenceReason reason, String detail, Runnable done) {
        java.util.concurrent.CompletableFuture<Boolean> f = link.reportFenced(token, reason, detail);
        lastReport.set(f);
        f.whenComplete((ok, e) -> done.run());
      }
    };
    this.agentToken = agentToken(config);
    java.util.concurrent.atomic.AtomicReference<Reconciler> rec = new java.util.concurrent.atomic.AtomicReference<>();
    this.locks = io.tandem.agent.locks.Locks.create(config.group(), config.instance(),
        new io.tandem.agent.groupdata.GroupDataClient(link.endpoints(), config.lease().rpcTimeout(),
            Duration.ofSeconds(3)),
        metrics, () -> {
          Reconciler r = rec.get();
          if (r != null) {
            r.poke();
          }
        }, link::heartbeatNow);
    this.context = config.context().enabled()
        ? new ContextAgent(config.group(), config.instance(), config.context(),
            config.nodeRed().mode() == NodeRedSettings.Mode.ATTACH, link.endpoints(),
            config.lease().rpcTimeout(), metrics.registry(), agentToken)
        : null;
    this.reconciler = new Reconciler(config.group(), config.instance(), config.lease(), runtime,
        port, hooks, metrics, link::target, context == null ? ContextPort.NONE : context, locks);
    rec.set(reconciler);
    if (context != null) {
      context.onGateChange(reconciler::poke);
    }
    metrics.bind(reconciler::snapshot);
    this.groupData = config.nodeRed().userDir() == null ? null
        : new GroupData(config.group(), config.instance(), new UserDirLayout(config.nodeRed().userDir()), runtime,
            link.endpoints(), config.lease().rpcTimeout(), reconciler::snapshot, agentToken);
  }

  private static String agentToken(AgentConfig config) {
    try {
      return TokenFile.loadOrCreate(config.nodeRed().tokenFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Node-RED admin token: " + e.getMessage(), e);
    }
  }

  /**
   * Takes the coordinators the leader reports (its Raft configuration) into the link's address
   * list, after the configured ones, unless learnCoordinators is false.
   */
  private void learnCoordinators(HeartbeatResponse response) {
    if (config.learnCoordinators() && link != null
        && link.endpoints().learn(response.getCoordinatorsList())) {
      log.info("coordinators now: {} (configured: {}, the rest reported by the cluster)",
          link.endpoints().addresses(), config.coordinators());
    }
  }

  private Reconciler reconciler() {
    return reconciler;
  }

  private RuntimeRestarts restarts() {
    return restarts;
  }

  private GroupData groupData() {
    return groupData;
  }

  private ContextAgent context() {
    return context;
  }

  private HeartbeatRequest heartbeatRequest() {
    AgentSnapshot s = reconciler.snapshot();
    io.tandem.agent.nodered.RuntimeStatus st = runtime.status();
    HeartbeatRequest.Builder b = HeartbeatRequest.newBuilder()
        .setGroup(config.group())
        .setInstance(config.instance())
        .setHost(config.host())
        .setRuntime(st.state())
        .setRunningToken(s.token())
        .setFencedToken(s.fencedToken())
        .addAllWantedLocks(locks.wantedForHeartbeat())
        .setEditorUrl(config.nodeRed().editorUrlOrDefault());
    if (groupData != null) {
      groupData.fill(b);
    }
    restarts.fill(b, st);
    String contextNotReady = context == null ? "" : context.notReadyDetail();
    if (!contextNotReady.isEmpty()) {
      String other = b.getNotReadyDetail();
      b.setNotReadyDetail(other.isEmpty() ? contextNotReady : other + "; " + contextNotReady);
    }
    if (stopping) {
      // A stopping agent's runtime still looks like a ready spare (loaded, flows stopped): without
      // this, the leader re-activated the instance that had just reported SHUTDOWN (a solo group,
      // or a higher priority than the real standby), which then waited out a whole lease.
      b.setNotReadyDetail("the agent is stopping");
    }
    return b.build();
  }

  /** True for a loopback literal or "localhost" (a name is not resolved here). */
  static boolean isLoopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return "localhost".equalsIgnoreCase(h) || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}") || "::1".equals(h)
        || "0:0:0:0:0:0:0:1".equals(h);
  }

  /** The "context" object of /status. */
  static com.fasterxml.jackson.databind.node.ObjectNode contextStatus(ContextAgent.Status s) {
    com.fasterxml.jackson.databind.node.ObjectNode o = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
        .put("role", s.writer() ? "writer" : "replica")
        .put("writerToken", s.writerToken())
        .put("version", s.version())
        .put("pendingOps", s.pendingOps());
    if (s.lastFlushMillis() < 0) {
      o.putNull("lastFlushMillis");
    } else {
      o.put("lastFlushMillis", Math.round(s.lastFlushMillis() * 10) / 10.0);
    }
    return o;
  }

  /**
   * Starts the HTTP API, the runtime, the reconcile loop and the link; returns at once.
   *
   * @throws IOException if the HTTP API cannot listen on its address
   */
  public synchronized void start() throws IOException {
    List<HttpRoute> routes = new ArrayList<>();
    if (groupData != null) {
      routes.addAll(groupData.endpoints().routes());
    }
    if (context != null) {
      routes.addAll(context.routes());
    }
    routes.addAll(new io.tandem.agent.locks.LockEndpoints(locks, agentToken).routes());
    http = AgentHttpServer.start(config.http(), reconciler::snapshot, metrics, routes, config.httpToken(),
        context == null ? null : () -> contextStatus(context.status()),
        () -> io.tandem.agent.locks.LockJson.locks(locks.role(), System.nanoTime()));
    if (!config.httpToken().required() && !isLoopback(config.http().host())) {
      log.warn("the agent's local API listens on {} (not loopback) and http.token is not set: /status and "
          + "/metrics are open to whoever reaches that address; set http.token or http.tokenFile (docs/agent.md)",
          config.http());
    }
    if (context != null) {
      runtime.useContextPlugin(storageUrl(config.http().host(), http.port()), config.context().isDefault());
      context.start(runtime);
    }
    if (groupData != null) {
      runtime.useStoragePlugin(storageUrl(config.http().host(), http.port()));
      groupData.start();
    } else {
      log.warn("nodeRed.userDir is not set (attach mode): this instance's flows are not replicated and the "
          + "coordinators do not see which flows revision it runs; see docs/agent.md");
    }
    if (config.nodeRed().mode() == NodeRedSettings.Mode.ATTACH) {
      log.warn("attach mode: Node-RED at {} was not started by this agent, so it does not die with "
          + "the agent and cannot be killed when hung; prefer launch mode", config.nodeRed().url());
    }
    runtime.closedOnExitBy(closedDone, closeBound());
    Runtime.getRuntime().addShutdownHook(exitHook);
    runtime.start();
    reconciler.start();
    link.start();
    log.info("agent {}/{} started: coordinators {}, http {}, {}", config.group(), config.instance(),
        String.join(",", config.coordinators()), "http://" + config.http().host() + ":" + http.port(),
        config.tls().describe());
    if (config.tls().insecure()) {
      log.warn("tls.insecure is set: this agent talks to the coordinators in plaintext, without a"
          + " certificate; anyone on the network can read or forge its heartbeats (docs/security.md)");
    }
    log.info("lease settings need a granted lease of at least {} ms (stopBudget {} ms, renewInterval"
        + " {} ms, rpcTimeout {} ms, driftBound {}); a shorter one is refused",
        config.lease().minimumLeaseMillis(), config.lease().stopBudget().toMillis(),
        config.lease().renewInterval().toMillis(), config.lease().rpcTimeout().toMillis(),
        config.lease().driftBound());
  }

  /** The address the storage plugin calls: the agent's HTTP API, on loopback when it listens on all addresses. */
  static URI storageUrl(String host, int port) {
    String h = host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    return URI.create("http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port + "/");
  }

  public int httpPort() {
    return http.port();
  }

  public AgentSnapshot snapshot() {
    return reconciler.snapshot();
  }

  public NodeRedRuntime runtime() {
    return runtime;
  }

  public AgentConfig config() {
    return config;
  }

  /**
   * Upper bound of {@link #close()}: the flows' stop (stopBudget, then a kill), the control loop's
   * end, the SHUTDOWN report's confirmation (1 s), the link (2 s), the runtime (its stopTimeout
   * after SIGTERM, then 2 s after SIGKILL), and slack.
   */
  Duration closeBound() {
    return config.lease().stopBudget().plusSeconds(12).plus(config.nodeRed().stopTimeout());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopping = true;
    StopTimes times = new StopTimes(System::nanoTime);
    try {
      closeInOrder(times);
    } finally {
      closedDone.complete(null);
      if (Thread.currentThread() != exitHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException | SecurityException shuttingDown) {
          // the JVM is exiting: the hook finds the agent closed
        }
      }
    }
    log.info("agent {}/{} stopped in {}", config.group(), config.instance(), times);
  }

  private void closeInOrder(StopTimes times) {
    reconciler.shutdown();
    times.step("flows");
    Future<Boolean> report = lastReport.get();
    if (report != null) {
      try {
        report.get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.info("the shutdown report was not confirmed in time; the heartbeats carry it");
      }
    }
    times.step("report");
    reconciler.close();
    locks.close();
    if (context != null) {
      context.close();
    }
    times.step("context");
    if (groupData != null) {
      groupData.close();
    }
    link.close();
    times.step("link");
    runtime.close();
    times.step("Node-RED");
    hooks.close();
    if (http != null) {
      http.close();
    }
    times.step("http");
  }
}

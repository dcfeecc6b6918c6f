package io.tandem.agent.context;

import io.grpc.StatusRuntimeException;
import io.tandem.agent.config.ContextSettings;
import io.tandem.agent.control.ContextGate;
import io.tandem.agent.control.ContextPort;
import io.tandem.agent.groupdata.GroupDataClient;
import io.tandem.agent.http.AgentTokenCheck;
import io.tandem.agent.http.HttpRoute;
import io.tandem.agent.nodered.NodeRedRuntime;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.Assignment;
import io.tandem.proto.agent.GetContextRequest;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.agent.WriteContextRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.proto.state.ContextSnapshot;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the Tandem context store (docs/context.md, "The agent"): the replica of the
 * group's committed context, the plugin's endpoints, the batching of the active's writes, and the
 * writer handshake that {@code control/Decide} waits for before it starts flows ({@link ContextPort}).
 *
 * <p>Its thread follows the group: it fetches the context (GetContext) when there is no replica
 * yet, when a pushed change does not follow the replica's version, when a version the group is
 * known to have reached does not arrive within {@link #LAG} through the watch stream, and when a
 * preparation needs a version the replica lacks. It also ends a preparation whose proof does not
 * come within {@link #PROOF_TIMEOUT}.
 */
public final class ContextAgent implements ContextPort, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ContextAgent.class);
  /** How long the plugin has to prove the writer role once it is offered. */
  static final Duration PROOF_TIMEOUT = Duration.ofSeconds(2);
  /** A version known to exist that the watch stream has not delivered after this is fetched. */
  static final Duration LAG = Duration.ofMillis(500);
  private static final Duration FETCH_BUDGET = Duration.ofSeconds(2);
  private static final Duration RETRY = Duration.ofMillis(500);
  /** A Node-RED that stayed a standby this long without a call from the plugin has not loaded it. */
  static final Duration NO_PLUGIN_GRACE = Duration.ofSeconds(3);
  /** How long a failed preparation keeps the instance not ready (so it is not re-activated at once). */
  static final Duration FAILURE_HOLD = Duration.ofSeconds(10);
  private static final int RING_CHANGES = 4096;
  private static final long RING_BYTES = 16L * 1024 * 1024;

  private final String group;
  private final String instance;
  private final ContextSettings settings;
  private final boolean attach;
  private final ContextHub hub;
  private final ContextFlusher flusher;
  private final ContextEndpoints endpoints;
  private final Supplier<ContextSnapshot> fetcher;
  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private boolean woken;
  private volatile boolean running = true;
  private volatile Runnable onGate = () -> { };
  private volatile long generation = -1;
  private volatile RuntimeState runtimeState = RuntimeState.RUNTIME_DOWN;
  private volatile long standbySinceNanos;
  private long lastFetchFailureLog;

  public ContextAgent(String group, String instance, ContextSettings settings, boolean attach,
      CoordinatorEndpoints coordinators, Duration rpcTimeout, MeterRegistry registry, String agentToken) {
    this(group, instance, settings, attach, new GroupDataClient(coordinators, rpcTimeout, FETCH_BUDGET),
        new ContextMetrics(registry), agentToken);
  }

  private ContextAgent(String group, String instance, ContextSettings settings, boolean attach,
      GroupDataClient client, ContextMetrics metrics, String agentToken) {
    this(group, instance, settings, attach, metrics, agentToken,
        () -> client.getContext(GetContextRequest.newBuilder().setGroup(group).setInstance(instance).build()),
        (token, ops, id) -> client.writeContext(WriteContextRequest.newBuilder().setGroup(group)
            .setInstance(instance).setToken(token).addAllOps(ops).setRequestId(id).build()));
  }

  /** With the two calls to the coordinators given (tests). */
  ContextAgent(String group, String instance, ContextSettings settings, boolean attach,
      ContextMetrics metrics, String agentToken, Supplier<ContextSnapshot> fetcher,
      ContextFlusher.Writer w) {
    this.group = group;
    this.instance = instance;
    this.settings = settings;
    this.attach = attach;
    this.fetcher = fetcher;
    this.hub = new ContextHub(new ContextReplica(RING_CHANGES, RING_BYTES), PROOF_TIMEOUT.toNanos());
    this.flusher = new ContextFlusher(settings.flushInterval(), settings.maxBatchOps(), w,
        new ContextFlusher.Listener() {
          @Override
          public void committed(long token, long version, List<ContextHub.Correction> refused) {
            hub.expect(version);
            hub.addCorrections(refused);
            for (ContextHub.Correction c : refused) {
              log.warn("context write {}/{} refused by the coordinators: {}", c.scope(), c.key(), c.reason());
            }
          }

          @Override
          public void fenced(long token, String message) {
            log.error("the coordinators refused the context writes of token {} ({}); this instance "
                + "is no longer the writer and its queued writes were dropped", token, message);
            hub.clear(token);
          }
        }, metrics);
    this.endpoints = new ContextEndpoints(this, new AgentTokenCheck(agentToken));
    this.hub.listeners(() -> onGate.run(), this::wake);
    this.thread = new Thread(this::run, "tandem-context");
    thread.setDaemon(true);
  }

  /** The reconcile loop to poke when the gate changes. */
  public void onGateChange(Runnable r) {
    this.onGate = r;
  }

  /**
   * What /status shows under "context": whether the local Node-RED is the writer (and under which
   * token), the replica's committed version, ops queued and not yet committed, and the
   * send-to-commit time of the last committed batch (-1 before the first).
   */
  public record Status(boolean writer, long writerToken, long version, int pendingOps, double lastFlushMillis) {}

  public Status status() {
    long token = hub.writerToken();
    long last = flusher.lastFlushNanos();
    return new Status(token > 0, token, hub.version(), flusher.pendingOps(), last < 0 ? -1 : last / 1e6);
  }

  public List<HttpRoute> routes() {
    return endpoints.routes();
  }

  public void start(NodeRedRuntime runtime) {
    if (runtime != null) {
      runtime.addListener(this::onRuntime);
      onRuntime(runtime.status());
    }
    flusher.start();
    thread.start();
  }

  ContextHub hub() {
    return hub;
  }

  ContextFlusher flusher() {
    return flusher;
  }

  void needReplica() {
    if (!hub.loaded()) {
      wake();
    }
  }

  // ---- what the coordinators push ----

  public void onAssignment(Assignment a) {
    if (a.getExists()) {
      hub.expect(a.getContextVersion());
    }
  }

  public void onGroupUpdate(GroupUpdate u) {
    if (u.hasContextChange()) {
      hub.apply(u.getContextChange());
    }
    if (u.hasAssignment()) {
      onAssignment(u.getAssignment());
    }
  }

  private void onRuntime(RuntimeStatus s) {
    if (s.generation() != generation) {
      generation = s.generation();
      hub.newGeneration();
    }
    if (s.state() == RuntimeState.RUNTIME_STANDBY && runtimeState != RuntimeState.RUNTIME_STANDBY) {
      standbySinceNanos = System.nanoTime();
    }
    runtimeState = s.state();
  }

  /**
   * Why this instance cannot take over as far as the context store is concerned ("" ready), for
   * the heartbeat's not_ready_detail: its Node-RED did not load the context store, or its last
   * preparation failed a moment ago.
   */
  public String notReadyDetail() {
    long now = System.nanoTime();
    String failure = hub.recentFailure(now, FAILURE_HOLD.toNanos());
    if (!failure.isEmpty()) {
      return "context store: " + failure;
    }
    if (runtimeState == RuntimeState.RUNTIME_STANDBY && !hub.contactedThisGeneration()
        && now - standbySinceNanos > NO_PLUGIN_GRACE.toNanos()) {
      return noPluginSentence();
    }
    return "";
  }

  private String noPluginSentence() {
    return "Node-RED has not loaded the tandem context store (no call from it since it started)"
        + (attach ? "; in attach mode add contextStorage.tandem to its settings.js (docs/context.md)"
            : "") + " or set context.enabled: false in the agent's configuration";
  }

  // ---- ContextPort ----

  @Override
  public ContextGate gate() {
    return hub.gate();
  }

  @Override
  public void prepare(long token, long contextVersion) {
    log.info("token {}: preparing the context store (replica version {}, needs {})", token,
        hub.version(), contextVersion);
    hub.prepare(token, contextVersion);
  }

  @Override
  public String drain(long token, long deadlineNanos) {
    if (!hub.holds(token)) {
      return "";
    }
    try {
      hub.release(token);
      boolean released = hub.awaitReleased(token, deadlineNanos);
      boolean committed = flusher.flushAndWait(token, deadlineNanos);
      if (committed) {
        hub.awaitVersion(flusher.lastVersion(), Math.min(deadlineNanos,
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200)));
      }
      int left = flusher.pendingOps();
      String undone = (released ? "" : "Node-RED's context store did not confirm that its queued "
          + "writes were delivered; ") + (committed ? "" : left + " ops not committed in time; ");
      return undone.isEmpty() ? "" : undone.substring(0, undone.length() - 2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } finally {
      flusher.discard(token, "the writer role of token " + token + " ended (planned stop)");
      hub.clear(token);
    }
  }

  @Override
  public String commitPending(long token, long deadlineNanos) {
    if (!hub.holds(token)) {
      return "";
    }
    try {
      return flusher.flushAndWait(token, deadlineNanos) ? ""
          : flusher.pendingOps() + " ops not committed in time";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } finally {
      flusher.discard(token, "Node-RED went away before they were committed");
      hub.clear(token);
    }
  }

  @Override
  public void drop(long token, String why) {
    if (token > 0 && !hub.holds(token)) {
      return;
    }
    hub.clear(token);
    flusher.discard(token, why);
  }

  // ---- the follower thread ----

  private void wake() {
    lock.lock();
    try {
      woken = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    long nextFetch = 0;
    while (running) {
      long now = System.nanoTime();
      if (hub.needsFetch(now, LAG.toNanos()) && now - nextFetch >= 0) {
        if (!fetch()) {
          nextFetch = System.nanoTime() + RETRY.toNanos();
        }
      }
      hub.offerIfReady();
      hub.checkProof(System.nanoTime(), hub.lastContactNanos() > hub.offeredAtNanos()
          ? "it calls the agent but did not poll as the writer"
          : hub.contactedThisGeneration() ? "it stopped calling the agent" : noPluginSentence());
      lock.lock();
      try {
        if (!woken && running) {
          wake.await(50, TimeUnit.MILLISECONDS);
        }
        woken = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  private boolean fetch() {
    long preparing = hub.preparingToken();
    try {
      hub.install(fetcher.get());
      return true;
    } catch (StatusRuntimeException e) {
      long now = System.nanoTime();
      if (now - lastFetchFailureLog > TimeUnit.SECONDS.toNanos(30)) {
        lastFetchFailureLog = now;
        log.warn("cannot read the group's committed context: {}", e.getStatus());
      }
      if (preparing > 0) {
        hub.fail(preparing, "the committed context could not be read (" + e.getStatus().getCode()
            + ": " + e.getStatus().getDescription() + ")");
      }
      return false;
    } catch (RuntimeException e) {
      log.warn("reading the group's committed context failed", e);
      return false;
    }
  }

  @Override
  public void close() {
    running = false;
    hub.close();
    wake();
    thread.interrupt();
    flusher.close();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

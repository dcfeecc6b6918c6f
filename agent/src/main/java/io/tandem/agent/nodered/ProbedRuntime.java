package io.tandem.agent.nodered;

import io.tandem.proto.agent.RuntimeState;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What launch and attach mode share: the status, listeners, the probe (GET /flows/state with a response
 * timeout every probeInterval; readiness = two equal readings 50 ms apart; probeMisses misses = HUNG)
 * and the control calls. State is guarded by {@link #lock}; listeners run on the runtime's own thread.
 *
 * <p>The probe runs on its own thread over one kept-alive connection ({@link FlowsStateProbe}), one
 * request at a time. A request still unanswered {@code probeTimeout + k * probeInterval} after it was
 * sent counts as k + 1 missed probes: the misses, and so HUNG, come at the same times as if a probe had
 * been sent every interval on connections of its own (as the earlier design did), without the wake-ups.
 */
abstract class ProbedRuntime implements NodeRedRuntime {
  static final long READY_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  protected final Logger log = LoggerFactory.getLogger(getClass());
  protected final NodeRedSettings settings;
  protected final String name;
  protected final Object lock = new Object();
  protected final ScheduledThreadPoolExecutor events;
  private final List<Consumer<RuntimeStatus>> listeners = new CopyOnWriteArrayList<>();
  /** Misses one unanswered request may count before its connection is given up for a new one. */
  private final int maxMissesPerRequest;

  // guarded by lock
  protected RuntimeState state = RuntimeState.RUNTIME_DOWN;
  protected long pid = -1;
  protected long generation;
  protected boolean closed;
  protected int misses;
  private String bootReading;
  private long bootReadingNanos;
  private long controlEpoch;
  private int controlsRunning;
  private Thread probeThread;
  private boolean probing;
  private long nextProbeNanos; // probe thread only
  private NodeRedAdminClient probedClient; // probe thread only
  private volatile FlowsStateProbe probeConnection;
  private volatile RuntimeStatus status = new RuntimeStatus(RuntimeState.RUNTIME_DOWN, -1, 0, "not started");

  ProbedRuntime(NodeRedSettings settings, String name) {
    this.settings = settings;
    this.name = name;
    this.events = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "tandem-nodered-" + name);
      t.setDaemon(true);
      return t;
    });
    events.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    events.setRemoveOnCancelPolicy(true);
    long interval = Math.max(1, settings.probeInterval().toMillis());
    this.maxMissesPerRequest = (int) Math.min(20, settings.probeTimeout().toMillis() / interval + 2);
  }

  /** The admin client to probe now, or null to skip this tick. Called under lock. */
  protected abstract NodeRedAdminClient probeTarget();

  /** A probe failed while STARTING or DOWN. Called under lock. */
  protected abstract void bootMiss(Throwable cause);

  /** A probe failed to connect while STANDBY, RUNNING or HUNG; true if handled. Called under lock. */
  protected boolean connectionLost(Throwable cause) {
    return false;
  }

  /** The runtime answered while DOWN (attach mode: it is back). Called under lock. */
  protected void readingWhileDown() {}

  @Override
  public RuntimeStatus status() {
    return status;
  }

  @Override
  public void addListener(Consumer<RuntimeStatus> listener) {
    listeners.add(listener);
  }

  protected void startProbing() {
    synchronized (lock) {
      if (probeThread != null) {
        return;
      }
      probing = true;
      nextProbeNanos = System.nanoTime();
      probeThread = new Thread(this::probeLoop, "tandem-probe-" + name);
      probeThread.setDaemon(true);
      probeThread.start();
    }
  }

  protected void stopProbing() {
    synchronized (lock) {
      probing = false;
      lock.notifyAll();
    }
    FlowsStateProbe c = probeConnection;
    if (c != null) {
      c.close(); // unblocks a waiting read
    }
  }

  /** Changes the status and notifies listeners (in order, on the runtime's thread). Called under lock. */
  protected void set(RuntimeState newState, long newPid, String detail) {
    state = newState;
    pid = newPid;
    if (newState == RuntimeState.RUNTIME_STARTING) {
      bootReading = null;
      misses = 0;
    }
    RuntimeStatus s = new RuntimeStatus(newState, newPid, generation, detail);
    status = s;
    try {
      events.execute(() -> notifyListeners(s));
    } catch (RejectedExecutionException closing) {
      notifyListeners(s);
    }
  }

  private void notifyListeners(RuntimeStatus s) {
    for (Consumer<RuntimeStatus> l : listeners) {
      try {
        l.accept(s);
      } catch (RuntimeException e) {
        log.warn("Node-RED status listener failed on {}: {}", s, e.toString(), e);
      }
    }
  }

  private void probeLoop() {
    try {
      while (true) {
        try {
          if (!probeOnce()) {
            return;
          }
        } catch (RuntimeException e) {
          // a bug must not end hang detection: the next tick probes again
          log.warn("Node-RED {}: probe failed: {}", name, e.toString(), e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      FlowsStateProbe c = probeConnection;
      if (c != null) {
        c.close();
      }
    }
  }

  /** Waits for the next tick and probes once; false when probing stopped. */
  private boolean probeOnce() throws InterruptedException {
    long interval = settings.probeInterval().toNanos();
    NodeRedAdminClient target;
    long gen;
    long epoch;
    synchronized (lock) {
      for (long wait = nextProbeNanos - System.nanoTime(); probing && !closed && wait > 0;
          wait = nextProbeNanos - System.nanoTime()) {
        TimeUnit.NANOSECONDS.timedWait(lock, wait);
      }
      if (!probing || closed) {
        return false;
      }
      long now = System.nanoTime();
      nextProbeNanos = Math.max(nextProbeNanos + interval, now);
      target = probeTarget();
      if (target == null) {
        return true;
      }
      gen = generation;
      epoch = controlEpoch;
    }
    FlowsStateProbe c;
    long sent = System.nanoTime();
    try {
      c = connectionTo(target);
      c.send();
    } catch (IOException | RuntimeException e) {
      onProbeResult(gen, epoch, null, e);
      return true;
    }
    long deadline = sent + settings.probeTimeout().toNanos();
    for (int missed = 0; ; ) {
      try {
        onProbeResult(gen, epoch, c.await(deadline), null);
        return true;
      } catch (java.net.http.HttpTimeoutException timeout) {
        missed++;
        boolean current = onProbeResult(gen, epoch, null, timeout);
        if (!c.isOpen() || !current || missed >= maxMissesPerRequest) {
          c.close();
          return true;
        }
        deadline += interval; // the probe of the next tick would not be answered either
      } catch (IOException | RuntimeControlException | RuntimeException e) {
        onProbeResult(gen, epoch, null, e); // a miss
        return true;
      }
    }
  }

  /** The probe thread's connection for {@code target}, a new one when the target changed. */
  private FlowsStateProbe connectionTo(NodeRedAdminClient target) {
    FlowsStateProbe c = probeConnection;
    if (c == null || target != probedClient) {
      if (c != null) {
        c.close();
      }
      probedClient = target;
      c = target.newFlowsStateProbe();
      probeConnection = c;
    }
    return c;
  }

  /** Handles one probe's outcome; false if the runtime moved on (closed, or another generation). */
  private boolean onProbeResult(long gen, long epoch, String reading, Throwable cause) {
    synchronized (lock) {
      if (closed || !probing || gen != generation) {
        return false;
      }
      if (cause != null) {
        onMiss(cause);
      } else if (state == RuntimeState.RUNTIME_DOWN) {
        readingWhileDown();
      } else if (state == RuntimeState.RUNTIME_STARTING) {
        misses = 0;
        onBootReading(reading);
      } else {
        misses = 0;
        onSteadyReading(reading, epoch);
      }
      return true;
    }
  }

  private void onMiss(Throwable cause) {
    if (state == RuntimeState.RUNTIME_STARTING || state == RuntimeState.RUNTIME_DOWN) {
      bootMiss(cause);
      return;
    }
    if (isConnectFailure(cause) && connectionLost(cause)) {
      return;
    }
    misses++;
    if (misses >= settings.probeMisses() && state != RuntimeState.RUNTIME_HUNG) {
      String why = "no answer to " + misses + " probes (last: " + describe(cause) + ")";
      log.warn("Node-RED {} is HUNG: {}", name, why);
      set(RuntimeState.RUNTIME_HUNG, pid, why);
    }
  }

  private void onBootReading(String reading) {
    long now = System.nanoTime();
    if (reading.equals(bootReading)) {
      if (now - bootReadingNanos >= READY_GAP_NANOS) {
        boolean running = "start".equals(reading);
        String detail = running ? "flows running at boot (expected stopped)" : "ready, flows stopped";
        onReady(running, detail);
        set(running ? RuntimeState.RUNTIME_RUNNING : RuntimeState.RUNTIME_STANDBY, pid, detail);
      }
      return;
    }
    bootReading = reading;
    bootReadingNanos = now;
    nextProbeNanos = Math.min(nextProbeNanos, now + READY_GAP_NANOS); // on the probe thread: no notify
  }

  /** Logs readiness; called under lock just before the status changes to STANDBY or RUNNING. */
  protected abstract void onReady(boolean flowsRunning, String detail);

  private void onSteadyReading(String reading, long epoch) {
    if (epoch != controlEpoch || controlsRunning > 0) {
      return; // sent before or during a start/stop: the reply of that call is the truth
    }
    RuntimeState observed = "start".equals(reading) ? RuntimeState.RUNTIME_RUNNING : RuntimeState.RUNTIME_STANDBY;
    if (state == RuntimeState.RUNTIME_HUNG) {
      log.info("Node-RED {} answers again (flows state {})", name, reading);
      set(observed, pid, "answers again after a hang, flows state " + reading);
    } else if (state != observed) {
      String detail = "flows observed in state " + reading + " (expected "
          + (state == RuntimeState.RUNTIME_RUNNING ? "start" : "stop") + ")";
      log.warn("Node-RED {}: {}", name, detail);
      set(observed, pid, detail);
    }
  }

  @Override
  public void setToken(long token, Duration timeout) throws RuntimeControlException {
    control("set the fencing token", c -> c.setToken(token, timeout), null, timeout);
  }

  @Override
  public void startFlows(Duration timeout) throws RuntimeControlException {
    control("start flows", c -> c.setFlowsState("start", timeout), RuntimeState.RUNTIME_RUNNING, timeout);
  }

  @Override
  public void stopFlows(Duration timeout) throws RuntimeControlException {
    control("stop flows", c -> c.setFlowsState("stop", timeout), RuntimeState.RUNTIME_STANDBY, timeout);
  }

  @Override
  public void reloadFlows(Duration timeout) throws RuntimeControlException {
    control("reload flows", c -> {
      c.reloadFlows(timeout);
      return null;
    }, null, timeout);
  }

  @Override
  public NodeRedAdminClient adminClient() {
    synchronized (lock) {
      return closed ? null : controlTarget();
    }
  }

  /** The client for control calls now, or null if there is no runtime to talk to. Called under lock. */
  protected abstract NodeRedAdminClient controlTarget();

  private interface Call {
    Object run(NodeRedAdminClient c) throws RuntimeControlException;
  }

  private void control(String what, Call call, RuntimeState after, Duration timeout)
      throws RuntimeControlException {
    NodeRedAdminClient c;
    long gen;
    synchronized (lock) {
      c = closed ? null : controlTarget();
      if (c == null) {
        throw new RuntimeControlException("cannot " + what + ": Node-RED " + name + " is " + status);
      }
      gen = generation;
      controlEpoch++;
      controlsRunning++;
    }
    try {
      Object reply = call.run(c);
      if (after != null) {
        String expected = after == RuntimeState.RUNTIME_RUNNING ? "start" : "stop";
        if (!expected.equals(reply)) {
          throw new RuntimeControlException("cannot " + what + ": Node-RED " + name + " reports flows state "
              + reply + " after the request");
        }
        synchronized (lock) {
          if (gen == generation && state != RuntimeState.RUNTIME_DOWN && state != after) {
            misses = 0;
            set(after, pid, "flows " + (after == RuntimeState.RUNTIME_RUNNING ? "started" : "stopped") + " by the agent");
          }
        }
      }
    } finally {
      synchronized (lock) {
        controlsRunning--;
        controlEpoch++;
      }
    }
  }

  static String describe(Throwable cause) {
    if (cause instanceof java.net.http.HttpTimeoutException) {
      return "no reply in time";
    }
    if (cause instanceof ConnectException) {
      return "connection refused";
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  static boolean isConnectFailure(Throwable cause) {
    return cause instanceof ConnectException
        || (cause instanceof java.io.IOException && cause.getCause() instanceof ConnectException);
  }
}

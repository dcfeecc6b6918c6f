package io.tandem.agent.locks;

import io.tandem.agent.control.Committed;
import io.tandem.agent.control.LockBelief;
import io.tandem.agent.control.LockState;
import io.tandem.agent.control.LocksPort;
import io.tandem.agent.control.View;
import io.tandem.agent.http.AgentMetrics;
import io.tandem.agent.http.AgentSnapshot;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Lock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock side of the agent (docs/locks.md): the keys its flows want ({@link LockTable}), its
 * belief about which it holds ({@link LockBelief}, from every view the control loop publishes),
 * the role document with its long poll ({@link RoleFeed}), the ReleaseLock calls, and the lock
 * metrics. Decide stays the only place that starts or stops flows.
 */
public final class Locks implements LocksPort, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Locks.class);

  /** Gives a key up at the coordinators (ReleaseLock); returns at once. */
  public interface Releaser {
    void release(String key, long token);
  }

  private final String group;
  private final String instance;
  private final LockTable table;
  private final Releaser releaser;
  private final AgentMetrics metrics;
  private final Runnable poke;
  private final Runnable heartbeatNow;
  private final RoleFeed feed;
  private volatile View lastView;
  private Map<String, Long> heldBefore = Map.of(); // control thread only
  private long generation = -1; // the runtime generation whose flows own the wanted keys

  /**
   * @param poke         asks the control loop to reconcile (and so publish) soon
   * @param heartbeatNow asks for a heartbeat now (a newly wanted key)
   */
  public Locks(String group, String instance, LockTable table, Releaser releaser,
      AgentMetrics metrics, Runnable poke, Runnable heartbeatNow) {
    this.group = group;
    this.instance = instance;
    this.table = table;
    this.releaser = releaser;
    this.metrics = metrics;
    this.poke = poke;
    this.heartbeatNow = heartbeatNow;
    this.feed = new RoleFeed(new RoleState(0, group, instance, AgentSnapshot.ACTIVE_STANDBY,
        "starting", "", "", 0, 0, Long.MIN_VALUE, false, List.of()));
    if (metrics != null) {
      metrics.bindLocks(() -> feed.current().heldCount());
    }
  }

  /** With ReleaseLock calls through {@code client}. */
  public static Locks create(String group, String instance, io.tandem.agent.groupdata.GroupDataClient client,
      AgentMetrics metrics, Runnable poke, Runnable heartbeatNow) {
    return new Locks(group, instance, new LockTable(), new LockReleaser(group, instance, client),
        metrics, poke, heartbeatNow);
  }

  public LockTable table() {
    return table;
  }

  /** The keys to list in heartbeats (wanted_locks). */
  public List<String> wantedForHeartbeat() {
    return table.wantedSorted();
  }

  /**
   * Beliefs are computed, and keys given up, under this object's monitor: a key is marked given up
   * (never believed again under its token) before its ReleaseLock leaves, and no belief computed
   * after that names it held.
   */
  @Override
  public synchronized void onView(View v, long nowNanos) {
    lastView = v;
    long gen = v.runtime().generation();
    if (gen != generation) {
      if (generation >= 0) {
        java.util.Set<String> gone = table.clear();
        if (!gone.isEmpty()) {
          log.info("Node-RED was restarted (generation {}): its flows no longer want {}", gen, gone);
        }
      }
      generation = gen;
    }
    Map<String, Long> stale = LockBelief.stale(v, table.wanted(), table.releasedTokens());
    stale.forEach(table::released);
    Map<String, Long> released = table.releasedTokens();
    List<LockState> locks = LockBelief.of(v, table.wanted(), released, nowNanos);
    RoleState s = roleState(v, locks, nowNanos);
    feed.publish(s);
    count(v, locks);
    stale.forEach(releaser::release);
  }

  /** Metrics and log lines for the keys that came or went since the last view. */
  private void count(View v, List<LockState> locks) {
    Map<String, Long> held = new HashMap<>();
    for (LockState l : locks) {
      if (l.held()) {
        held.put(l.key(), l.token());
      }
    }
    if (held.equals(heldBefore)) {
      return;
    }
    for (Map.Entry<String, Long> e : held.entrySet()) {
      if (!e.getValue().equals(heldBefore.get(e.getKey()))) {
        log.info("lock {} held (token {})", e.getKey(), e.getValue());
        if (metrics != null) {
          metrics.lockAcquired();
        }
      }
    }
    for (Map.Entry<String, Long> e : heldBefore.entrySet()) {
      if (!e.getValue().equals(held.get(e.getKey()))) {
        String why = lossReason(v, e.getKey(), e.getValue());
        log.info("lock {} no longer held (token {}): {}", e.getKey(), e.getValue(), why);
        if (metrics != null) {
          metrics.lockLost(why);
        }
      }
    }
    heldBefore = Map.copyOf(held);
  }

  private String lossReason(View v, String key, long token) {
    if (!table.wanted().contains(key)) {
      return "released";
    }
    for (Lock l : v.committed().locks()) {
      if (l.getKey().equals(key)) {
        return l.getHolder().equals(instance) && l.getToken() == token ? "lease" : "moved";
      }
    }
    return v.committed().isAllActive() ? "moved" : "lease";
  }

  private RoleState roleState(View v, List<LockState> locks, long now) {
    Committed c = v.committed();
    boolean running = v.runningToken() > 0 && v.runningToken() == c.token()
        && v.runtime().state() == RuntimeState.RUNTIME_RUNNING && v.lease().validFor(c.token(), now);
    boolean ready = v.runtime().state() == RuntimeState.RUNTIME_STANDBY
        || v.runtime().state() == RuntimeState.RUNTIME_RUNNING;
    String role;
    if (!c.known()) {
      role = "starting";
    } else if (c.isAllActive()) {
      role = running ? "member" : v.memberFenced() ? "fenced" : ready ? "standby" : "starting";
    } else if (running && c.names(instance)) {
      role = "active";
    } else if (c.names(instance) && c.token() <= v.fencedToken()) {
      role = "fenced";
    } else {
      role = ready ? "standby" : "starting";
    }
    String editor = c.activeEditorUrl();
    return new RoleState(0, group, instance,
        c.isAllActive() ? AgentSnapshot.ALL_ACTIVE : AgentSnapshot.ACTIVE_STANDBY, role,
        c.isAllActive() ? "" : c.active(), editor, c.known() ? c.token() : 0, c.flowsRevision(),
        running ? v.lease().stopAtNanos() : Long.MIN_VALUE, c.known(), locks);
  }

  /** The current role document. */
  public RoleState role() {
    return feed.current();
  }

  /** The role document once its version differs from {@code since}, or after {@code waitMillis}. */
  public java.util.concurrent.CompletableFuture<RoleState> awaitChange(long since, long waitMillis) {
    return feed.await(since, waitMillis);
  }

  /** {@code owner} wants {@code key}; returns the key's lock object as believed now. */
  public synchronized LockState want(String key, String owner) {
    if (table.want(key, owner)) {
      log.info("lock {} wanted (by {})", key, owner);
      heartbeatNow.run();
    }
    poke.run();
    return lockNow(key);
  }

  /**
   * {@code owner} no longer wants {@code key}. When no owner wants it any more and this instance
   * is its committed holder (all-active), the key is given up at once (ReleaseLock).
   */
  public synchronized LockState drop(String key, String owner) {
    if (table.drop(key, owner)) {
      View v = lastView;
      if (v != null && v.committed().isAllActive()) {
        for (Lock l : v.committed().locks()) {
          if (l.getKey().equals(key) && l.getHolder().equals(instance)) {
            table.released(key, l.getToken());
            releaser.release(key, l.getToken());
            log.info("lock {} given up (token {}): no flow here wants it any more", key, l.getToken());
          }
        }
      }
      heartbeatNow.run();
    }
    poke.run();
    return lockNow(key);
  }

  /** The lock object of {@code key} computed from the last view now (not waiting for a publish). */
  private synchronized LockState lockNow(String key) {
    View v = lastView;
    if (v == null) {
      return new LockState(key, false, 0, "", table.wanted().contains(key), Long.MIN_VALUE);
    }
    for (LockState l : LockBelief.of(v, table.wanted(), table.releasedTokens(), System.nanoTime())) {
      if (l.key().equals(key)) {
        return l;
      }
    }
    return new LockState(key, false, 0, "", false, Long.MIN_VALUE);
  }

  @Override
  public void close() {
    feed.close();
    if (releaser instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // best effort
      }
    }
  }
}

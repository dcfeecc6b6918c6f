package io.tandem.agent.context;

import com.google.protobuf.ByteString;
import io.tandem.agent.control.ContextGate;
import io.tandem.proto.state.ContextChange;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextSnapshot;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The replica, the writer role and the plugin's long poll under one lock, so that a waiting poll
 * wakes on every change of what it would answer.
 *
 * <p>The writer role for a token T goes: prepared (the replica is brought to the assignment's
 * context version) -> offered (polls answer {@code writer:true}) -> proven (the plugin polled with
 * writer=1 and since >= that version: it holds exactly the committed context and writes through
 * the agent; flows may start) -> releasing (planned stop: polls answer {@code writer:false}) ->
 * released (the plugin polled with writer=0: its queued writes were delivered) -> cleared.
 * A lost lease clears it at once.
 */
final class ContextHub {
  /** A refused op of an asynchronous write: the plugin gets the committed value of its key. */
  record Correction(String scope, String key, String reason, long atVersion) {}

  /** The reply of one poll: ops (null: send {@code full}) and the corrections to apply. */
  record Changes(long version, boolean writer, List<ContextOp> ops,
      Map<String, Map<String, ByteString>> full, List<CorrectionValue> corrections) {}

  /** A correction with the committed value (null: the key is absent). */
  record CorrectionValue(String scope, String key, ByteString value, String reason) {}

  private final ContextReplica replica;
  private final long proofTimeoutNanos;
  private Runnable onGate = () -> { };
  private Runnable onNeedFetch = () -> { };

  private long roleToken;
  private long requiredVersion;
  private boolean offered;
  private long offeredAtNanos;
  private boolean proven;
  private boolean releasing;
  private boolean released;
  private long failedToken;
  private String failedDetail = "";
  private long failedAtNanos;
  private final List<Correction> corrections = new ArrayList<>();

  private long expectedVersion;
  private long behindTarget;
  private long behindSinceNanos;
  private boolean gap;
  private long lastContactNanos;
  private boolean contactedThisGeneration;
  /** The agent is stopping: waiting polls are answered now instead of at the end of their wait. */
  private boolean closed;

  ContextHub(ContextReplica replica, long proofTimeoutNanos) {
    this.replica = replica;
    this.proofTimeoutNanos = proofTimeoutNanos;
  }

  synchronized void listeners(Runnable onGate, Runnable onNeedFetch) {
    this.onGate = onGate;
    this.onNeedFetch = onNeedFetch;
  }

  // ---- the replica ----

  void apply(ContextChange c) {
    ContextReplica.Applied a;
    synchronized (this) {
      a = replica.apply(c);
      if (a == ContextReplica.Applied.GAP) {
        gap = true;
        expectLocked(c.getVersion(), System.nanoTime());
      } else {
        caughtUp(System.nanoTime());
      }
      notifyAll();
    }
    if (a == ContextReplica.Applied.GAP) {
      onNeedFetch.run();
    } else {
      offerIfReady();
    }
  }

  void install(ContextSnapshot s) {
    boolean offeredNow;
    synchronized (this) {
      replica.install(s);
      gap = false;
      caughtUp(System.nanoTime());
      offeredNow = offerLocked();
      notifyAll();
    }
    if (offeredNow) {
      onGate.run();
    }
  }

  /** A version the group is known to have reached (an assignment, a commit of this agent's). */
  synchronized void expect(long version) {
    expectLocked(version, System.nanoTime());
  }

  private void expectLocked(long version, long now) {
    expectedVersion = Math.max(expectedVersion, version);
    caughtUp(now);
  }

  private void caughtUp(long now) {
    long have = replica.loaded() ? replica.version() : -1;
    if (behindTarget > 0 && have >= behindTarget) {
      behindTarget = 0;
    }
    if (behindTarget == 0 && expectedVersion > have) {
      behindTarget = expectedVersion;
      behindSinceNanos = now;
    }
  }

  /** True when the replica should be fetched: none yet, a gap, or a version overdue by {@code lagNanos}. */
  synchronized boolean needsFetch(long now, long lagNanos) {
    if (!replica.loaded() || gap) {
      return true;
    }
    if (roleToken > 0 && !offered && replica.version() < requiredVersion) {
      return true;
    }
    return behindTarget > 0 && now - behindSinceNanos > lagNanos;
  }

  synchronized boolean loaded() {
    return replica.loaded();
  }

  synchronized long version() {
    return replica.version();
  }

  /** Waits until the replica is loaded; false after {@code timeoutNanos}. */
  synchronized boolean awaitLoaded(long timeoutNanos) throws InterruptedException {
    long end = System.nanoTime() + timeoutNanos;
    while (!replica.loaded()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Waits until the replica holds {@code version}; false after the deadline. */
  synchronized boolean awaitVersion(long version, long deadlineNanos) throws InterruptedException {
    while (!replica.loaded() || replica.version() < version) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** The snapshot for the plugin's open(): version, limits and the whole context. */
  synchronized Changes snapshot() {
    contact();
    return new Changes(replica.version(), false, null, replica.copy(), List.of());
  }

  synchronized long[] limits() {
    return new long[] {replica.maxValueBytes(), replica.maxGroupBytes()};
  }

  /**
   * Answers every waiting poll now and every later one at once: a long poll held a server thread
   * for up to its wait (4 s), and the agent's HTTP server waited for it at a stop.
   */
  synchronized void close() {
    closed = true;
    notifyAll();
  }

  // ---- the plugin's poll ----

  /**
   * One long poll: the proofs it carries are taken first; it is answered at once when the version
   * differs from {@code since}, the wanted mode differs from {@code writer}, or corrections wait;
   * else after {@code waitNanos} with no ops.
   */
  Changes changes(long since, boolean writer, long waitNanos) throws InterruptedException {
    boolean gateChanged = false;
    Changes reply;
    synchronized (this) {
      contact();
      if (writer && offered && !proven && !releasing && since >= requiredVersion && roleToken > 0) {
        proven = true;
        gateChanged = true;
      }
      if (!writer && releasing && !released) {
        released = true;
        notifyAll();
      }
      long end = System.nanoTime() + waitNanos;
      while (true) {
        boolean wanted = wantWriter();
        List<CorrectionValue> corr = deliverable();
        // since 0 (a resync) on an empty store (version 0) is answered when something changes or
        // after the wait, like any other up-to-date poll: answered at once it made the plugin of a
        // group without context writes poll in a tight loop (hundreds of polls a second)
        boolean moved = replica.loaded() && ((since <= 0 && replica.version() > 0) || replica.version() != since);
        long left = end - System.nanoTime();
        if (moved || wanted != writer || !corr.isEmpty() || left <= 0 || closed) {
          if (!replica.loaded()) {
            reply = new Changes(Math.max(0, since), wanted, List.of(), null, corr);
          } else {
            List<ContextOp> ops = replica.since(since);
            reply = new Changes(replica.version(), wanted, ops, ops == null ? replica.copy() : null,
                corr);
          }
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
    if (gateChanged) {
      onGate.run();
    }
    return reply;
  }

  private boolean wantWriter() {
    return roleToken > 0 && offered && !releasing;
  }

  private List<CorrectionValue> deliverable() {
    List<CorrectionValue> out = new ArrayList<>();
    if (corrections.isEmpty() || !replica.loaded()) {
      return out;
    }
    Iterator<Correction> it = corrections.iterator();
    while (it.hasNext()) {
      Correction c = it.next();
      if (c.atVersion() <= replica.version()) {
        out.add(new CorrectionValue(c.scope(), c.key(), replica.value(c.scope(), c.key()), c.reason()));
        it.remove();
      }
    }
    return out;
  }

  private void contact() {
    lastContactNanos = System.nanoTime();
    contactedThisGeneration = true;
  }

  /** Node-RED was (re)launched: the next plugin is a new one. */
  synchronized void newGeneration() {
    contactedThisGeneration = false;
  }

  synchronized boolean contactedThisGeneration() {
    return contactedThisGeneration;
  }

  // ---- the writer role ----

  /** The token whose writes the plugin may send now (0: it is not the writer). */
  synchronized long writerToken() {
    return roleToken > 0 && offered && !released ? roleToken : 0;
  }

  synchronized void addCorrections(List<Correction> list) {
    if (!list.isEmpty() && roleToken > 0) {
      corrections.addAll(list);
      notifyAll();
    }
  }

  /** Starts the preparation for {@code token} (idempotent for the token being prepared). */
  void prepare(long token, long contextVersion) {
    synchronized (this) {
      if (roleToken == token) {
        return;
      }
      clearLocked();
      roleToken = token;
      requiredVersion = contextVersion;
      expectLocked(contextVersion, System.nanoTime());
    }
    offerIfReady();
    onNeedFetch.run();
  }

  /** Offers the writer role once the replica holds the required version. */
  void offerIfReady() {
    boolean changed;
    synchronized (this) {
      changed = offerLocked();
    }
    if (changed) {
      onGate.run();
    }
  }

  private boolean offerLocked() {
    if (roleToken > 0 && !offered && replica.loaded() && replica.version() >= requiredVersion) {
      offered = true;
      offeredAtNanos = System.nanoTime();
      notifyAll();
      return true;
    }
    return false;
  }

  /** Fails the preparation when the plugin did not prove the role within the proof timeout. */
  void checkProof(long now, String whyNotProven) {
    synchronized (this) {
      if (roleToken == 0 || proven || !offered || now - offeredAtNanos < proofTimeoutNanos) {
        return;
      }
      failLocked(now, "Node-RED's tandem context store did not confirm the writer role within "
          + TimeUnit.NANOSECONDS.toMillis(proofTimeoutNanos) + " ms (" + whyNotProven + ")");
    }
    onGate.run();
  }

  /** Fails the preparation (the replica could not be read in time). */
  void fail(long token, String detail) {
    synchronized (this) {
      if (roleToken != token || proven) {
        return;
      }
      failLocked(System.nanoTime(), detail);
    }
    onGate.run();
  }

  private void failLocked(long now, String detail) {
    failedToken = roleToken;
    failedDetail = detail;
    failedAtNanos = now;
    clearLocked();
  }

  synchronized long preparingToken() {
    return roleToken > 0 && !proven ? roleToken : 0;
  }

  synchronized long offeredAtNanos() {
    return offered ? offeredAtNanos : 0;
  }

  synchronized long lastContactNanos() {
    return lastContactNanos;
  }

  /** The failure of the last preparation if it is more recent than {@code withinNanos}, else "". */
  synchronized String recentFailure(long now, long withinNanos) {
    return failedToken > 0 && now - failedAtNanos < withinNanos ? failedDetail : "";
  }

  /** Planned stop: polls now answer writer:false. */
  synchronized void release(long token) {
    if (roleToken == token && offered) {
      releasing = true;
      notifyAll();
    }
  }

  /** Waits for the plugin's writer=0 poll after {@link #release}; false at the deadline. */
  synchronized boolean awaitReleased(long token, long deadlineNanos) throws InterruptedException {
    while (roleToken == token && releasing && !released) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return roleToken == token && released;
  }

  synchronized boolean holds(long token) {
    return token > 0 && roleToken == token;
  }

  /** Ends the writer role of {@code token} (0: whatever role there is). */
  void clear(long token) {
    boolean changed;
    synchronized (this) {
      changed = roleToken != 0 && (token == 0 || roleToken == token);
      if (changed) {
        clearLocked();
      }
    }
    if (changed) {
      onGate.run();
    }
  }

  private void clearLocked() {
    roleToken = 0;
    requiredVersion = 0;
    offered = false;
    proven = false;
    releasing = false;
    released = false;
    corrections.clear();
    notifyAll();
  }

  synchronized ContextGate gate() {
    long now = System.nanoTime();
    String detail;
    if (roleToken > 0 && !offered) {
      detail = "bringing the context replica from version " + replica.version() + " to "
          + requiredVersion;
    } else if (roleToken > 0 && !proven) {
      detail = "waiting " + TimeUnit.NANOSECONDS.toMillis(now - offeredAtNanos)
          + " ms for Node-RED's context store to confirm the writer role";
    } else if (roleToken == 0 && failedToken > 0) {
      detail = failedDetail;
    } else {
      detail = "";
    }
    return new ContextGate(true, proven && !releasing ? roleToken : 0, roleToken > 0 && !proven ? roleToken : 0,
        failedToken, detail);
  }
}

package io.tandem.agent.control;

import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.proto.agent.RuntimeState;

/** Builds {@link View}s for the tests of this package; "a" is this agent's instance. */
final class Views {
  static final String ME = "a";
  static final long MS = 1_000_000L;
  static final long NOW = 10_000 * MS;
  static final long STOP_BUDGET = 300 * MS;

  private Committed committed = Committed.UNKNOWN;
  private long releaseToken;
  private Lease lease = Lease.NONE;
  private RuntimeStatus runtime = status(RuntimeState.RUNTIME_STANDBY, "");
  private long runningToken;
  private long fencedToken;
  private long killedGeneration = -1;
  private ContextGate context = ContextGate.NOT_REQUIRED;
  private boolean memberFenced;
  private long lockFloor;

  static Views view() {
    return new Views();
  }

  static RuntimeStatus status(RuntimeState s, String detail) {
    return new RuntimeStatus(s, 42, 1, detail);
  }

  /** A lease for {@code token} whose stop time is {@code stopInMs} after NOW. */
  static Lease lease(long token, long stopInMs) {
    long stopAt = NOW + stopInMs * MS;
    return new Lease(token, stopAt - 1680 * MS, 2000, stopAt + STOP_BUDGET, stopAt);
  }

  Views assigned(String active, long token) {
    committed = Committed.of(active, token);
    return this;
  }

  /** An all-active group with group token {@code token} and locks given as key, holder, token. */
  Views allActive(long token, Object... locks) {
    java.util.List<io.tandem.proto.state.Lock> l = new java.util.ArrayList<>();
    for (int i = 0; i < locks.length; i += 3) {
      l.add(io.tandem.proto.state.Lock.newBuilder().setKey((String) locks[i])
          .setHolder((String) locks[i + 1]).setToken(((Number) locks[i + 2]).longValue()).build());
    }
    committed = Committed.allActive(token, l);
    return this;
  }

  Views memberFenced() {
    memberFenced = true;
    return this;
  }

  Views lockFloor(long floor) {
    lockFloor = floor;
    return this;
  }

  Views deleted() {
    committed = new Committed(true, false, "", 0, false, 0);
    return this;
  }

  Views release(long token) {
    releaseToken = token;
    return this;
  }

  Views lease(Lease l) {
    lease = l;
    return this;
  }

  Views runtime(RuntimeState s) {
    return runtime(s, "");
  }

  Views runtime(RuntimeState s, String detail) {
    runtime = status(s, detail);
    return this;
  }

  Views running(long token) {
    runningToken = token;
    return this;
  }

  Views fenced(long token) {
    fencedToken = token;
    return this;
  }

  Views killed(long generation) {
    killedGeneration = generation;
    return this;
  }

  Views context(ContextGate gate) {
    context = gate;
    return this;
  }

  View build() {
    return new View(ME, committed, releaseToken, lease, runtime, runningToken, fencedToken,
        killedGeneration, context, memberFenced, lockFloor);
  }
}

package io.tandem.bench;

import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.FencedReport;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.util.Optional;

/**
 * What one simulated agent knows and does, without I/O or clock of its own (times are passed in):
 * it runs "flows" while it is the committed active with a lease, counts its lease from the send
 * time of the heartbeat that granted it, shortened by 1% (as the agent's self-fence does), and
 * self-fences with a LEASE_LOST report when that time has passed. Not thread-safe: its owner
 * serialises the calls.
 */
public final class SimAgentState {
  /** The share of a granted lease the agent counts on (its self-fence margin). */
  static final double LEASE_SHARE = 0.99;
  private final String group;
  private final String instance;
  private RuntimeState runtime = RuntimeState.RUNTIME_STANDBY;
  private long runningToken;
  private long fencedToken;
  private long leaseEndNanos;

  public SimAgentState(String group, String instance) {
    this.group = group;
    this.instance = instance;
  }

  /**
   * Before a heartbeat sent at {@code nowNanos}: the LEASE_LOST report to send if the lease ran out
   * on this agent's clock (it is then a standby), else empty.
   */
  public Optional<FencedReport> fenceIfExpired(long nowNanos) {
    if (runtime != RuntimeState.RUNTIME_RUNNING || nowNanos - leaseEndNanos <= 0) {
      return Optional.empty();
    }
    long token = runningToken;
    fencedToken = Math.max(fencedToken, token);
    runningToken = 0;
    runtime = RuntimeState.RUNTIME_STANDBY;
    return Optional.of(FencedReport.newBuilder().setGroup(group).setInstance(instance).setToken(token)
        .setReason(FenceReason.LEASE_LOST).build());
  }

  /** The heartbeat this agent sends now. */
  public HeartbeatRequest heartbeat() {
    return HeartbeatRequest.newBuilder().setGroup(group).setInstance(instance).setRuntime(runtime)
        .setRunningToken(runningToken).setFencedToken(fencedToken).setHost("127.0.0.1").build();
  }

  /**
   * The answer to the heartbeat sent at {@code sentAtNanos}: with a lease for an assignment naming
   * this instance under a token it has not fenced, it runs until the lease's end; an assignment
   * naming someone else (or a newer token) stops it. Returns whether the answer granted a lease.
   */
  public boolean onAnswer(long sentAtNanos, HeartbeatResponse r) {
    long token = r.getAssignment().getToken();
    boolean mine = r.getAssignment().getActive().equals(instance) && token > fencedToken;
    boolean leased = r.getLeaseMillis() > 0;
    if (mine && leased) {
      runningToken = token;
      runtime = RuntimeState.RUNTIME_RUNNING;
      leaseEndNanos = sentAtNanos + (long) (r.getLeaseMillis() * LEASE_SHARE * 1_000_000L);
    } else if (!mine && runtime == RuntimeState.RUNTIME_RUNNING) {
      runningToken = 0;
      fencedToken = Math.max(fencedToken, token);
      runtime = RuntimeState.RUNTIME_STANDBY;
    }
    return leased;
  }

  public boolean running() {
    return runtime == RuntimeState.RUNTIME_RUNNING;
  }

  public long fencedToken() {
    return fencedToken;
  }

  /**
   * How long to wait after a RESOURCE_EXHAUSTED answer: the coordinator's retry-after hint (the
   * period without one) times {@code random} in [0, 1) scaled to 0.5-1.5, at most two periods.
   */
  public static long shedWaitNanos(String retryAfterMillisHint, long periodNanos, double random) {
    long base = retryAfterMillisHint == null ? periodNanos : Long.parseLong(retryAfterMillisHint) * 1_000_000L;
    return Math.min(2 * periodNanos, (long) (base * (0.5 + random)));
  }
}

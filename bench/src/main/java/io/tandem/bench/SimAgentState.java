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
 * time of the heartbeat that granted it, and stops them when the real agent with its default
 * settings would ({@code LeaseSettings.stopAtNanos}: the lease less the 1% drift bound, less the
 * 300 ms stop budget), self-fencing with a LEASE_LOST report. Not thread-safe: its owner
 * serialises the calls.
 *
 * <p>Until 4 December 2026 it ran its flows until 99% of the lease, 300 ms longer than an agent
 * does, so the scale benchmark counted fewer lease-lost failovers than real agents would have
 * caused (docs/benchmarks.md, "The start ramp").
 */
public final class SimAgentState {
  /** The share of a granted lease the agent counts on: 1 - the agent's default drift bound (0.01). */
  static final double LEASE_SHARE = 0.99;
  /** The agent's default stop budget ({@code LeaseSettings.DEFAULT_STOP_BUDGET}): flows stop this long before the lease ends. */
  static final long STOP_BUDGET_NANOS = 300_000_000L;
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
      leaseEndNanos = sentAtNanos + (long) (r.getLeaseMillis() * LEASE_SHARE * 1_000_000L) - STOP_BUDGET_NANOS;
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

package io.tandem.coordinator.lease;

import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;

/**
 * What this leader last heard from one instance's agent, on its monotonic clock.
 *
 * @param fencedToken highest token the agent said it fenced itself for
 * @param report the group data its runtime has (revision, modules, key digest)
 * @param heartbeatSeq the agent's number of its last numbered heartbeat heard here (0: none)
 * @param heartbeatSeqNanos when that heartbeat was heard (a lease pushed with an activation is
 *     counted from it: ActivationLeases)
 */
public record Liveness(
    RuntimeState runtime,
    long lastHeardNanos,
    long runningToken,
    long fencedToken,
    FenceReason fenceReason,
    RuntimeReport report,
    long heartbeatSeq,
    long heartbeatSeqNanos) {

  /** A heartbeat numbered {@code seq} by its agent (0: not numbered) arrived at {@code now}. */
  Liveness heard(RuntimeState runtime, long now, long runningToken, long fencedToken, RuntimeReport report,
      long seq) {
    boolean newFence = fencedToken > this.fencedToken;
    return new Liveness(
        runtime,
        now,
        runningToken,
        Math.max(fencedToken, this.fencedToken),
        newFence ? FenceReason.FENCE_REASON_UNSPECIFIED : fenceReason,
        report,
        seq > 0 ? seq : heartbeatSeq,
        seq > 0 ? now : heartbeatSeqNanos);
  }

  /**
   * The agent reported {@code token} fenced. An agent that stops on purpose (SHUTDOWN) takes its
   * Node-RED with it: its runtime is down from then on (else status kept showing the last
   * heartbeat's "running" for an instance whose agent was gone), until a heartbeat says otherwise.
   */
  Liveness fenced(long token, FenceReason reason, long now) {
    if (token < fencedToken) {
      return this;
    }
    RuntimeState after = reason == FenceReason.SHUTDOWN ? RuntimeState.RUNTIME_DOWN : runtime;
    return new Liveness(after, now, runningToken, token, reason, report, heartbeatSeq, heartbeatSeqNanos);
  }

  static Liveness first(RuntimeState runtime, long now, long runningToken, long fencedToken, RuntimeReport report,
      long seq) {
    return new Liveness(runtime, now, runningToken, fencedToken, FenceReason.FENCE_REASON_UNSPECIFIED, report,
        seq, seq > 0 ? now : 0);
  }

  long ageNanos(long now) {
    return now - lastHeardNanos;
  }
}

package io.tandem.coordinator.lease;

import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;

/**
 * What this leader last heard from one instance's agent, on its monotonic clock.
 *
 * @param fencedToken highest token the agent said it fenced itself for
 * @param report the group data its runtime has (revision, modules, key digest)
 */
public record Liveness(
    RuntimeState runtime,
    long lastHeardNanos,
    long runningToken,
    long fencedToken,
    FenceReason fenceReason,
    RuntimeReport report) {

  Liveness heard(RuntimeState runtime, long now, long runningToken, long fencedToken, RuntimeReport report) {
    boolean newFence = fencedToken > this.fencedToken;
    return new Liveness(
        runtime,
        now,
        runningToken,
        Math.max(fencedToken, this.fencedToken),
        newFence ? FenceReason.FENCE_REASON_UNSPECIFIED : fenceReason,
        report);
  }

  Liveness fenced(long token, FenceReason reason, long now) {
    if (token < fencedToken) {
      return this;
    }
    return new Liveness(runtime, now, runningToken, token, reason, report);
  }

  static Liveness first(RuntimeState runtime, long now, long runningToken, long fencedToken, RuntimeReport report) {
    return new Liveness(runtime, now, runningToken, fencedToken, FenceReason.FENCE_REASON_UNSPECIFIED, report);
  }

  long ageNanos(long now) {
    return now - lastHeardNanos;
  }
}

package io.tandem.agent.control;

import io.tandem.proto.agent.FenceReason;

/** What the control side needs from the coordinator link; both calls return at once. */
public interface CoordinatorPort {
  /** Send a heartbeat now (to obtain a lease without waiting for the next renewal). */
  void heartbeatNow();

  /** Tell the leader, asynchronously and with retries, that the agent fenced itself for a token. */
  void reportFenced(long token, FenceReason reason, String detail);

  /**
   * As {@link #reportFenced(long, FenceReason, String)}; {@code done} runs once the leader answered
   * the report or the reporter gave up (all-active members count fresh leases from then on).
   */
  default void reportFenced(long token, FenceReason reason, String detail, Runnable done) {
    reportFenced(token, reason, detail);
    done.run();
  }
}

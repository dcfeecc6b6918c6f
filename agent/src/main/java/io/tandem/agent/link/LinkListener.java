package io.tandem.agent.link;

import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.HeartbeatResponse;

/** Receives what the coordinators say; called on the link's threads, must not block. */
public interface LinkListener {
  /** A heartbeat sent at {@code sentAtNanos} (System.nanoTime, taken before sending) was answered. */
  void onHeartbeat(long sentAtNanos, HeartbeatResponse response);

  /** A committed assignment (or release request) arrived on the watch stream. */
  void onGroupUpdate(GroupUpdate update);

  /**
   * As above; {@code leaseSentAtNanos} is when the heartbeat the update's lease is counted from was
   * sent (empty when the update carries no lease or that heartbeat is not known here).
   */
  default void onGroupUpdate(GroupUpdate update, java.util.OptionalLong leaseSentAtNanos) {
    onGroupUpdate(update);
  }
}

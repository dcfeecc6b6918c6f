package io.tandem.coordinator.lease;

/**
 * The answer to one heartbeat.
 *
 * @param leaseMillis lease granted to the sender, 0 if none
 * @param releaseRequested the sender should stop its flows for a planned switchover
 */
public record Grant(long leaseMillis, boolean releaseRequested) {
  static final Grant NONE = new Grant(0, false);
}

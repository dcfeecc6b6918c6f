package io.tandem.coordinator.lease;

/**
 * A lease pushed with a committed activation: {@code leaseMillis} counted by the agent from when it
 * sent its heartbeat number {@code heartbeatSeq}.
 */
public record ActivationGrant(long leaseMillis, long heartbeatSeq) {}

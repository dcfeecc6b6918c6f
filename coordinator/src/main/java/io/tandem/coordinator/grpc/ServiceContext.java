package io.tandem.coordinator.grpc;

import io.tandem.coordinator.lease.LeaseKeeper;
import io.tandem.coordinator.metrics.CoordinatorMetrics;
import io.tandem.coordinator.ratis.RaftNode;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What the gRPC services share.
 *
 * @param nanos the monotonic clock of the lease keeper (System::nanoTime outside tests)
 * @param wallMillis wall time stamped into commands for display only
 * @param kickTicker asks the leader's ticker to decide now (after a fenced report)
 * @param onHeartbeat counts a served heartbeat (metrics)
 * @param switchoverTimeout default time a planned switchover may take
 * @param metrics counters fed by the services (context writes)
 * @param restarts restarts of instances' Node-RED that admins asked for (leader memory)
 */
public record ServiceContext(
    RaftNode raft,
    LeaseKeeper keeper,
    WatchHub watch,
    Errors errors,
    LongSupplier nanos,
    LongSupplier wallMillis,
    Runnable kickTicker,
    Runnable onHeartbeat,
    Duration switchoverTimeout,
    CoordinatorMetrics metrics,
    Restarts restarts) {}

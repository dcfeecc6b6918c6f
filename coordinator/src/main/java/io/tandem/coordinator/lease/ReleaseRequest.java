package io.tandem.coordinator.lease;

import io.tandem.proto.state.CommandResult;
import java.util.concurrent.CompletableFuture;

/**
 * A planned switchover in progress: {@code from} is asked to stop its flows for {@code token};
 * once it confirms, {@code to} is activated. {@code done} completes with the activation's
 * result, or exceptionally when the switchover is abandoned.
 */
public record ReleaseRequest(
    String group,
    String from,
    String to,
    long token,
    long deadlineNanos,
    CompletableFuture<CommandResult> done) {}

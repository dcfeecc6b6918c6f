package io.tandem.coordinator.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Heartbeats share reads: a caller joins the next read, never the one in flight; failures reach only their batch. */
class ReadBatchesTest {
  private final List<CompletableFuture<Object>> reads = new ArrayList<>();
  private final ReadBatches batches = new ReadBatches(() -> {
    CompletableFuture<Object> r = new CompletableFuture<>();
    reads.add(r);
    return r;
  }, Runnable::run);

  @Test
  void callersDuringAReadShareTheNextOneSentAfterIt() {
    CompletableFuture<Void> first = batches.confirm();
    assertThat(reads).hasSize(1);
    CompletableFuture<Void> second = batches.confirm();
    CompletableFuture<Void> third = batches.confirm();
    assertThat(reads).as("no read for callers that arrived during one").hasSize(1);
    assertThat(second).isSameAs(third);

    reads.get(0).complete(null);
    assertThat(first).isCompleted();
    assertThat(second).as("the read in flight was sent before they arrived").isNotDone();
    assertThat(reads).as("the next read is sent at once").hasSize(2);

    reads.get(1).complete(null);
    assertThat(second).isCompleted();
    assertThat(reads).as("nobody waits: no read").hasSize(2);
    batches.confirm();
    assertThat(reads).hasSize(3);
  }

  @Test
  void aFailedReadFailsOnlyItsOwnBatch() {
    CompletableFuture<Void> first = batches.confirm();
    CompletableFuture<Void> second = batches.confirm();
    reads.get(0).completeExceptionally(new NotLeader(java.util.Optional.empty()));
    assertThat(first).isCompletedExceptionally();
    assertThat(second).isNotDone();
    reads.get(1).complete(null);
    assertThat(second).isCompleted();
  }

  @Test
  void aReadThatThrowsFailsItsBatchAndTheNextCallerTriesAgain() {
    ReadBatches throwing = new ReadBatches(() -> {
      throw new IllegalStateException("test: Raft closing");
    }, Runnable::run);
    assertThat(throwing.confirm()).isCompletedExceptionally();
    assertThat(throwing.confirm()).isCompletedExceptionally();
  }
}

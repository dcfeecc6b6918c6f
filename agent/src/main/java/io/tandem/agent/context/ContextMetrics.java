package io.tandem.agent.context;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/** The context store's meters on the agent's /metrics ({@code tandem_context_*}). */
final class ContextMetrics {
  private final Counter flushes;
  private final Counter ops;
  private final Counter refusedFlushes;
  private final Counter refusedOps;
  private final Counter droppedOps;
  private final Counter failedAttempts;
  private final DistributionSummary batchOps;
  private final Timer flushLatency;

  ContextMetrics(MeterRegistry registry) {
    flushes = Counter.builder("tandem_context_flushes")
        .description("context batches committed (one WriteContext each)").register(registry);
    ops = Counter.builder("tandem_context_ops")
        .description("context ops committed in those batches (refused ops included)").register(registry);
    refusedFlushes = Counter.builder("tandem_context_flushes_refused")
        .description("context batches refused whole: the token was stale (the batch is dropped)")
        .register(registry);
    refusedOps = Counter.builder("tandem_context_ops_refused")
        .description("context ops the coordinators refused alone (over a limit, not a number, CAS lost)")
        .register(registry);
    droppedOps = Counter.builder("tandem_context_ops_dropped")
        .description("context ops dropped uncommitted: the writer role ended (lease lost, stale token)")
        .register(registry);
    failedAttempts = Counter.builder("tandem_context_flush_attempts_failed")
        .description("WriteContext attempts that failed (no majority, no leader) and were retried")
        .register(registry);
    batchOps = DistributionSummary.builder("tandem_context_batch_ops")
        .description("ops per committed context batch")
        .publishPercentileHistogram()
        .minimumExpectedValue(1.0)
        .maximumExpectedValue(100_000.0)
        .register(registry);
    flushLatency = Timer.builder("tandem_context_flush_latency")
        .description("from sending a context batch until its commit (retries included)")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry);
  }

  /** For tests. */
  static ContextMetrics detached() {
    return new ContextMetrics(new SimpleMeterRegistry());
  }

  void flushed(int n, long nanos) {
    flushes.increment();
    ops.increment(n);
    batchOps.record(n);
    flushLatency.record(Duration.ofNanos(nanos));
  }

  void refusedFlush() {
    refusedFlushes.increment();
  }

  void refusedOps(int n) {
    if (n > 0) {
      refusedOps.increment(n);
    }
  }

  void dropped(int n) {
    droppedOps.increment(n);
  }

  void failedAttempt() {
    failedAttempts.increment();
  }
}

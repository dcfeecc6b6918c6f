package io.tandem.agent.config;

import java.time.Duration;

/**
 * The {@code context:} section: the Tandem context store (docs/context.md).
 *
 * @param enabled       the settings wrapper registers store {@code tandem} and the agent makes its
 *                      plugin the writer before it starts flows (false: no store, no handshake)
 * @param isDefault     {@code tandem} is Node-RED's default context store
 * @param flushInterval the agent commits the active's batched writes at most this long after the first
 * @param maxBatchOps   a batch with this many ops is committed at once
 */
public record ContextSettings(boolean enabled, boolean isDefault, Duration flushInterval, int maxBatchOps) {
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(50);
  public static final int DEFAULT_MAX_BATCH_OPS = 5000;
  public static final Duration MAX_FLUSH_INTERVAL = Duration.ofSeconds(10);
  public static final int MAX_BATCH_OPS_LIMIT = 100_000;

  public ContextSettings {
    flushInterval = flushInterval == null ? DEFAULT_FLUSH_INTERVAL : flushInterval;
    if (flushInterval.isNegative() || flushInterval.isZero() || flushInterval.compareTo(MAX_FLUSH_INTERVAL) > 0) {
      throw new IllegalArgumentException("flushInterval must be above 0 and at most 10s");
    }
    if (maxBatchOps < 1 || maxBatchOps > MAX_BATCH_OPS_LIMIT) {
      throw new IllegalArgumentException("maxBatchOps must be 1.." + MAX_BATCH_OPS_LIMIT);
    }
  }

  public static ContextSettings defaults() {
    return new ContextSettings(true, false, DEFAULT_FLUSH_INTERVAL, DEFAULT_MAX_BATCH_OPS);
  }

  public static ContextSettings disabled() {
    return new ContextSettings(false, false, DEFAULT_FLUSH_INTERVAL, DEFAULT_MAX_BATCH_OPS);
  }
}

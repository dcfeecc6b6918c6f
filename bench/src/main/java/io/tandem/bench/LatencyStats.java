package io.tandem.bench;

import java.util.Arrays;

/**
 * Heartbeat latencies in a fixed histogram of 0.1 ms buckets up to 10 s (the last bucket holds
 * everything longer), thread-safe and allocation-free per sample; percentiles are the bucket's
 * upper edge, so they are exact to 0.1 ms.
 */
public final class LatencyStats {
  private static final long BUCKET_NANOS = 100_000L;
  private static final int BUCKETS = 100_000; // 10 s
  private final long[] counts = new long[BUCKETS + 1];
  private long total;
  private long maxNanos;

  public synchronized void record(long nanos) {
    int b = (int) Math.min(BUCKETS, Math.max(0, nanos) / BUCKET_NANOS);
    counts[b]++;
    total++;
    maxNanos = Math.max(maxNanos, nanos);
  }

  public synchronized long count() {
    return total;
  }

  /** The q-quantile (0 < q <= 1) in milliseconds; 0 without samples. */
  public synchronized double percentileMillis(double q) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int b = 0; b <= BUCKETS; b++) {
      seen += counts[b];
      if (seen >= rank) {
        return b == BUCKETS ? maxNanos / 1e6 : (b + 1) * BUCKET_NANOS / 1e6;
      }
    }
    return maxNanos / 1e6;
  }

  public synchronized double maxMillis() {
    return maxNanos / 1e6;
  }

  public synchronized void reset() {
    Arrays.fill(counts, 0);
    total = 0;
    maxNanos = 0;
  }
}

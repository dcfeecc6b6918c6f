package io.tandem.coordinator.lease;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;

/**
 * The leader's view of its own health (docs/design.md, "Overload never causes a failover"). Three
 * signals, each on the monotonic clock: the scheduling lag of the leader's periodic tick, the
 * delay between a heartbeat's arrival and its handling, and the JVM's stop-the-world GC time per
 * second (GarbageCollectorMXBeans, concurrent collectors' cycle beans left out). One bad signal
 * makes the leader degraded for {@link Limits#recovery}; while degraded, lease expiries are not
 * acted on. Lock-free: fed from gRPC threads and the ticker.
 */
public final class LeaderHealth {
  /**
   * @param tickLag a tick starting this much later than scheduled is a bad signal
   * @param heartbeatDelay a heartbeat handled this long after it arrived is a bad signal
   * @param gcPausePerSecond this much stop-the-world GC time per second of wall time is bad
   * @param recovery the leader is degraded until this long after the last bad signal
   */
  public record Limits(Duration tickLag, Duration heartbeatDelay, Duration gcPausePerSecond, Duration recovery) {
    public static final Limits DEFAULTS =
        new Limits(Duration.ofMillis(100), Duration.ofMillis(150), Duration.ofMillis(200), Duration.ofSeconds(2));
  }

  private final long tickLagNanos;
  private final long heartbeatDelayNanos;
  private final long gcPerSecondNanos;
  private final long recoveryNanos;
  private final List<GarbageCollectorMXBean> pauseBeans = ManagementFactory.getGarbageCollectorMXBeans()
      .stream().filter(LeaderHealth::countsPauses).toList();
  private volatile boolean everBad;
  private volatile long lastBadNanos;
  private volatile String lastReason = "";
  private long gcSampleNanos;
  private long gcSampleMillis = -1;
  private volatile long gcTotalMillis;

  public LeaderHealth(Limits limits) {
    this.tickLagNanos = limits.tickLag().toNanos();
    this.heartbeatDelayNanos = limits.heartbeatDelay().toNanos();
    this.gcPerSecondNanos = limits.gcPausePerSecond().toNanos();
    this.recoveryNanos = limits.recovery().toNanos();
  }

  /** The leader's tick started {@code lagNanos} later than it was due. */
  public void tickLag(long lagNanos, long now) {
    if (lagNanos > tickLagNanos) {
      bad(now, "tick " + lagNanos / 1_000_000 + " ms late");
    }
  }

  /** A heartbeat was handled {@code delayNanos} after it arrived. */
  public void heartbeatDelay(long delayNanos, long now) {
    if (delayNanos > heartbeatDelayNanos) {
      bad(now, "a heartbeat waited " + delayNanos / 1_000_000 + " ms before it was handled");
    }
  }

  /** A gRPC call waited {@code delayNanos} for a thread of the service executor. */
  public void callQueueDelay(long delayNanos, long now) {
    if (delayNanos > heartbeatDelayNanos) {
      bad(now, "a call waited " + delayNanos / 1_000_000 + " ms for a gRPC thread");
    }
  }

  /**
   * Reads the GC beans (from one thread, the ticker). GC time is judged over windows of at least
   * one second, so one young pause inside a short window does not count as degraded.
   */
  public void sampleGc(long now) {
    long total = 0;
    for (GarbageCollectorMXBean b : pauseBeans) {
      total += Math.max(0, b.getCollectionTime());
    }
    gcTotalMillis = total;
    if (gcSampleMillis >= 0 && now - gcSampleNanos > 0) {
      long pausedNanos = (total - gcSampleMillis) * 1_000_000;
      double perSecond = pausedNanos * 1e9 / (now - gcSampleNanos);
      if (now - gcSampleNanos >= 1_000_000_000L && perSecond > gcPerSecondNanos) {
        bad(now, "GC paused " + pausedNanos / 1_000_000 + " ms in the last "
            + (now - gcSampleNanos) / 1_000_000 + " ms");
      }
    }
    if (gcSampleMillis < 0 || now - gcSampleNanos >= 1_000_000_000L) {
      gcSampleNanos = now;
      gcSampleMillis = total;
    }
  }

  /** A bad signal from elsewhere (a full heartbeat queue, say). */
  public void bad(long now, String reason) {
    lastBadNanos = now;
    lastReason = reason;
    everBad = true;
  }

  public boolean degraded(long now) {
    return everBad && now - lastBadNanos < recoveryNanos;
  }

  /** The last bad signal, for logs and refusals ("" if none yet). */
  public String reason() {
    return lastReason;
  }

  /** Stop-the-world GC time of this JVM so far, in milliseconds (as of the last sample). */
  public long gcPauseTotalMillis() {
    return gcTotalMillis;
  }

  /** Beans that time pauses: concurrent collectors' cycle beans ("G1 Concurrent GC", "ZGC Cycles") do not. */
  static boolean countsPauses(GarbageCollectorMXBean b) {
    String n = b.getName();
    return !n.contains("Concurrent") && !n.contains("Cycles") && !n.equals("ZGC");
  }
}

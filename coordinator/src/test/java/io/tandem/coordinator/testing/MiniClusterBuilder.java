package io.tandem.coordinator.testing;

import io.tandem.coordinator.config.LeaseSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;

/** Options of a {@link MiniCluster}; {@link #start()} starts every peer. */
public final class MiniClusterBuilder {
  int size = 3;
  LeaseSettings lease = LeaseSettings.DEFAULTS;
  LongSupplier nanos = System::nanoTime;
  boolean metrics;
  Duration switchoverTimeout = Duration.ofSeconds(10);
  java.nio.file.Path certDir;

  MiniClusterBuilder() {}

  public MiniClusterBuilder size(int n) {
    if (n < 1 || n > 7) {
      throw new IllegalArgumentException("size must be 1-7");
    }
    this.size = n;
    return this;
  }

  public MiniClusterBuilder lease(LeaseSettings lease) {
    this.lease = lease;
    return this;
  }

  /**
   * Leases of 10 minutes: for tests that activate instances without agents and must not see
   * the leader deactivate them when their leases run out.
   */
  public MiniClusterBuilder longLeases() {
    return lease(new LeaseSettings(Duration.ofMinutes(10), Duration.ofMillis(250),
        Duration.ofSeconds(1), Duration.ofMillis(20)));
  }

  /** The monotonic clock every peer's lease keeper uses (default System::nanoTime). */
  public MiniClusterBuilder nanos(LongSupplier nanos) {
    this.nanos = nanos;
    return this;
  }

  /** Serve /metrics on an ephemeral port per peer (see CoordinatorServer.metricsPort()). */
  public MiniClusterBuilder metrics(boolean on) {
    this.metrics = on;
    return this;
  }

  public MiniClusterBuilder switchoverTimeout(Duration d) {
    this.switchoverTimeout = d;
    return this;
  }

  /**
   * Mutual TLS: {@code dir} holds a CA (ca.crt, ca.key); each peer cN gets DIR/peer-cN.crt/.key
   * (issued if missing) and its config points at them.
   */
  public MiniClusterBuilder tls(java.nio.file.Path dir) {
    this.certDir = dir;
    return this;
  }

  /** Builds and starts every peer; on failure, everything started is stopped again. */
  public MiniCluster start() throws IOException {
    MiniCluster c = new MiniCluster(this);
    try {
      c.startAll();
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }
}

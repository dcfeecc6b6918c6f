package io.tandem.coordinator.testing;

import io.tandem.client.CoordinatorEndpoints;
import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.common.config.HostPort;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.server.CoordinatorServer;
import io.tandem.coordinator.server.Logs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * An in-process cluster of real coordinators (real Ratis, real gRPC) on 127.0.0.1 with
 * ephemeral ports and temporary data directories. Peers can be killed (no leadership transfer,
 * as a crash) or stopped, and restarted from the same data directory on the same ports.
 *
 * <pre>
 * try (MiniCluster c = MiniCluster.start(3)) {
 *   c.waitForLeader(Duration.ofSeconds(30));
 *   try (CoordinatorEndpoints e = c.endpoints()) { ... }
 * }
 * </pre>
 */
public final class MiniCluster implements AutoCloseable {
  static {
    Logs.configure();
  }

  private final Path root;
  private final List<PeerConfig> peers;
  private final LeaseSettings lease;
  private final LongSupplier nanos;
  private final boolean metrics;
  private final Duration switchoverTimeout;
  private final CoordinatorServer[] servers;
  private final Path certDir; // null: plaintext

  MiniCluster(MiniClusterBuilder b) throws IOException {
    this.certDir = b.certDir;
    this.root = Files.createTempDirectory("tandem-mini-");
    this.lease = b.lease;
    this.nanos = b.nanos;
    this.metrics = b.metrics;
    this.switchoverTimeout = b.switchoverTimeout;
    List<Integer> ports = FreePorts.pick(2 * b.size);
    List<PeerConfig> list = new ArrayList<>();
    for (int i = 0; i < b.size; i++) {
      list.add(new PeerConfig("c" + (i + 1), new HostPort("127.0.0.1", ports.get(2 * i)),
          new HostPort("127.0.0.1", ports.get(2 * i + 1))));
    }
    this.peers = List.copyOf(list);
    this.servers = new CoordinatorServer[b.size];
    if (certDir != null) {
      io.tandem.common.tls.CertificateAuthority ca = io.tandem.common.tls.CertificateAuthority.load(certDir);
      for (PeerConfig p : peers) {
        if (!Files.exists(certDir.resolve("peer-" + p.id() + ".crt"))) {
          ca.issue(io.tandem.common.tls.Identity.peer(p.id()), List.of("localhost"), List.of("127.0.0.1"),
              java.time.Instant.now(), 1).writeTo(certDir, "peer-" + p.id());
        }
      }
    }
  }

  /** The TLS settings of peer {@code id} (plaintext without {@link MiniClusterBuilder#tls}). */
  public io.tandem.common.tls.TlsSettings tls(String id) {
    return certDir == null ? io.tandem.common.tls.TlsSettings.plaintext()
        : io.tandem.common.tls.TlsSettings.files(certDir.resolve("ca.crt"),
            certDir.resolve("peer-" + id + ".crt"), certDir.resolve("peer-" + id + ".key"));
  }

  /** Starts {@code n} coordinators with default lease settings (returns before a leader exists). */
  public static MiniCluster start(int n) throws IOException {
    return builder().size(n).start();
  }

  public static MiniClusterBuilder builder() {
    return new MiniClusterBuilder();
  }

  public int size() {
    return servers.length;
  }

  /** The gRPC addresses of all peers, comma separated (for CoordinatorEndpoints.parse). */
  public String grpcAddresses() {
    return peers.stream().map(p -> p.grpc().toString()).collect(Collectors.joining(","));
  }

  public HostPort raftAddress(int i) {
    return peers.get(i).raft();
  }

  public String grpcAddress(int i) {
    return peers.get(i).grpc().toString();
  }

  /** A new client for all peers; the caller closes it. */
  public CoordinatorEndpoints endpoints() {
    return CoordinatorEndpoints.parse(grpcAddresses());
  }

  /** The config of peer {@code i} (its node id is c1, c2, ...). */
  public CoordinatorConfig config(int i) {
    Optional<HostPort> m = metrics ? Optional.of(new HostPort("127.0.0.1", 0)) : Optional.empty();
    return new CoordinatorConfig(peers.get(i).id(), "mini", root.resolve(peers.get(i).id()),
        peers, m, lease, switchoverTimeout).withTls(tls(peers.get(i).id()));
  }

  public Path dataDir(int i) {
    return root.resolve(peers.get(i).id());
  }

  /** The running server {@code i}; throws if it is stopped. */
  public synchronized CoordinatorServer server(int i) {
    if (servers[i] == null) {
      throw new IllegalStateException("peer " + peers.get(i).id() + " is not running");
    }
    return servers[i];
  }

  public synchronized boolean isRunning(int i) {
    return servers[i] != null;
  }

  /** Starts (or restarts, from its data dir) peer {@code i}. */
  public synchronized void startPeer(int i) throws IOException {
    if (servers[i] != null) {
      return;
    }
    CoordinatorServer s = new CoordinatorServer(config(i), nanos);
    s.start();
    servers[i] = s;
  }

  public void startAll() throws IOException {
    for (int i = 0; i < servers.length; i++) {
      startPeer(i);
    }
  }

  /** Crash-like stop: no leadership transfer. */
  public synchronized void kill(int i) {
    if (servers[i] != null) {
      servers[i].kill();
      servers[i] = null;
    }
  }

  /** Planned stop: hands leadership over first. */
  public synchronized void stop(int i) {
    if (servers[i] != null) {
      servers[i].close();
      servers[i] = null;
    }
  }

  public void restart(int i) throws IOException {
    kill(i);
    startPeer(i);
  }

  public void stopAll() {
    for (int i = 0; i < servers.length; i++) {
      kill(i);
    }
  }

  /** Index of the running peer that is the ready leader and holds the keeper, or -1. */
  public synchronized int leaderIndex() {
    for (int i = 0; i < servers.length; i++) {
      try {
        if (servers[i] != null && servers[i].raft().isLeaderReady() && servers[i].keeper().isLeader()) {
          return i;
        }
      } catch (RuntimeException e) {
        // closing
      }
    }
    return -1;
  }

  /** The current leader; throws if there is none right now. */
  public CoordinatorServer leader() {
    int i = leaderIndex();
    if (i < 0) {
      throw new IllegalStateException("no leader right now");
    }
    return server(i);
  }

  /** Waits until some running peer leads (bounded); returns its index. */
  public int waitForLeader(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      int i = leaderIndex();
      if (i >= 0) {
        return i;
      }
      Waits.sleep(20);
    }
    throw new IllegalStateException("no leader within " + timeout.toMillis() + " ms");
  }

  /** Waits until every running peer applied the leader's commit index (bounded). */
  public void awaitCaughtUp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      int l = leaderIndex();
      if (l >= 0 && caughtUp(l)) {
        return;
      }
      Waits.sleep(20);
    }
    throw new IllegalStateException("peers did not catch up within " + timeout.toMillis() + " ms: "
        + progressReport());
  }

  /**
   * What every running peer holds (role, term, last log index, commit, applied) and, on the ready
   * leader, what it recorded for each follower: says whether a peer that stays behind really
   * lacks entries, was never told the commit index, or the leader's view of it is stale.
   */
  public synchronized String progressReport() {
    StringBuilder out = new StringBuilder();
    int leader = leaderIndex();
    out.append(leader < 0 ? "no ready leader" : "leader " + peers.get(leader).id());
    for (int i = 0; i < servers.length; i++) {
      out.append("; ").append(peers.get(i).id()).append(' ');
      if (servers[i] == null) {
        out.append("stopped");
        continue;
      }
      try {
        var r = servers[i].raft();
        out.append(r.role()).append(" term ").append(r.term()).append(" last ").append(r.lastLogIndex())
            .append(" commit ").append(r.commitIndex()).append(" applied ").append(r.lastAppliedIndex());
        if (i == leader) {
          out.append(" followers ").append(r.followerProgress())
              .append(" last reply ms ").append(r.followerLastContactMillis());
        }
      } catch (RuntimeException e) {
        out.append("unreadable (").append(e.getMessage()).append(')');
      }
    }
    return out.toString();
  }

  private synchronized boolean caughtUp(int leader) {
    long commit = servers[leader].raft().commitIndex();
    for (CoordinatorServer s : servers) {
      if (s != null && s.raft().lastAppliedIndex() < commit) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    stopAll();
    try {
      TempDirs.delete(root);
    } catch (UncheckedIOException e) {
      // best effort: a leftover temp dir is harmless
    }
  }
}

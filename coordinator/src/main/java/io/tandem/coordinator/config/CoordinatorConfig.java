package io.tandem.coordinator.config;

import io.tandem.common.config.HostPort;
import io.tandem.common.tls.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A coordinator's settings, validated. Built by {@link ConfigLoader} from YAML and flags.
 *
 * @param nodeId this coordinator's id, one of {@code peers}
 * @param clusterId names the Raft group; must be the same on every peer and never change
 * @param dataDir Raft log, snapshots and metadata of this node
 * @param peers every coordinator of the cluster, this one included
 * @param metricsAddress where {@code /metrics} is served; empty to serve none
 * @param lease lease and failover timing
 * @param flows flows revisions kept
 * @param context bounds of a group's replicated context
 * @param join this node joins an existing cluster (tandemctl members add): on its first start,
 *     with an empty data dir, it waits for the leader to contact it instead of campaigning (a
 *     campaign of a node the cluster does not know yet is answered "shut down" by Ratis' voters)
 * @param tls mutual TLS files of the Raft and gRPC ports, or plaintext ({@code tls.insecure})
 */
public record CoordinatorConfig(
    String nodeId,
    String clusterId,
    Path dataDir,
    List<PeerConfig> peers,
    Optional<HostPort> metricsAddress,
    LeaseSettings lease,
    Duration switchoverTimeout,
    FlowsSettings flows,
    ContextSettings context,
    boolean join,
    TlsSettings tls) {

  public CoordinatorConfig {
    peers = List.copyOf(peers);
    tls = tls == null ? TlsSettings.plaintext() : tls;
  }

  /** Configs built in code (tests) are plaintext; a YAML file must say tls explicitly. */
  public CoordinatorConfig(String nodeId, String clusterId, Path dataDir, List<PeerConfig> peers,
      Optional<HostPort> metricsAddress, LeaseSettings lease, Duration switchoverTimeout) {
    this(nodeId, clusterId, dataDir, peers, metricsAddress, lease, switchoverTimeout, FlowsSettings.DEFAULTS);
  }

  /** With the default context settings, not joining, plaintext. */
  public CoordinatorConfig(String nodeId, String clusterId, Path dataDir, List<PeerConfig> peers,
      Optional<HostPort> metricsAddress, LeaseSettings lease, Duration switchoverTimeout, FlowsSettings flows) {
    this(nodeId, clusterId, dataDir, peers, metricsAddress, lease, switchoverTimeout, flows, ContextSettings.DEFAULTS,
        false);
  }

  /** Not joining, plaintext. */
  public CoordinatorConfig(String nodeId, String clusterId, Path dataDir, List<PeerConfig> peers,
      Optional<HostPort> metricsAddress, LeaseSettings lease, Duration switchoverTimeout, FlowsSettings flows,
      ContextSettings context) {
    this(nodeId, clusterId, dataDir, peers, metricsAddress, lease, switchoverTimeout, flows, context, false);
  }

  /** With the default context settings; join as given; plaintext. */
  public CoordinatorConfig(String nodeId, String clusterId, Path dataDir, List<PeerConfig> peers,
      Optional<HostPort> metricsAddress, LeaseSettings lease, Duration switchoverTimeout, FlowsSettings flows,
      boolean join) {
    this(nodeId, clusterId, dataDir, peers, metricsAddress, lease, switchoverTimeout, flows, ContextSettings.DEFAULTS,
        join);
  }

  /** Plaintext. */
  public CoordinatorConfig(String nodeId, String clusterId, Path dataDir, List<PeerConfig> peers,
      Optional<HostPort> metricsAddress, LeaseSettings lease, Duration switchoverTimeout, FlowsSettings flows,
      ContextSettings context, boolean join) {
    this(nodeId, clusterId, dataDir, peers, metricsAddress, lease, switchoverTimeout, flows, context, join,
        TlsSettings.plaintext());
  }

  public CoordinatorConfig withTls(TlsSettings settings) {
    return new CoordinatorConfig(nodeId, clusterId, dataDir, peers, metricsAddress, lease,
        switchoverTimeout, flows, context, join, settings);
  }

  public PeerConfig self() {
    return peers.stream()
        .filter(p -> p.id().equals(nodeId))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("nodeId " + nodeId + " is not among the peers"));
  }

  public Optional<PeerConfig> peer(String id) {
    return peers.stream().filter(p -> p.id().equals(id)).findFirst();
  }
}

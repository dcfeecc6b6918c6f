package io.tandem.coordinator.testing;

import io.tandem.common.config.HostPort;
import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.server.CoordinatorServer;
import io.tandem.proto.admin.AddMemberRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A coordinator that joins a {@link MiniCluster} the way an operator adds one (tandemctl members
 * add): free ports on 127.0.0.1, an empty data dir, the cluster's settings, and the peer list of
 * the cluster it joins plus itself. Made first (ports and dir), built when the test knows which
 * members it leaves out; {@link #close} kills it and deletes its dir, also when the test fails.
 */
public final class JoiningCoordinator implements AutoCloseable {
  private final Path dir;
  private final PeerConfig peer;
  private CoordinatorServer server;

  private JoiningCoordinator(Path dir, PeerConfig peer) {
    this.dir = dir;
    this.peer = peer;
  }

  /** Ports and an empty data dir for coordinator {@code id}; nothing runs yet. */
  public static JoiningCoordinator prepare(String id) throws IOException {
    List<Integer> ports = FreePorts.pick(2);
    return new JoiningCoordinator(Files.createTempDirectory("tandem-" + id + "-"),
        new PeerConfig(id, new HostPort("127.0.0.1", ports.get(0)), new HostPort("127.0.0.1", ports.get(1))));
  }

  public PeerConfig peer() {
    return peer;
  }

  /** The request that adds it (raft and gRPC addresses of {@link #peer}). */
  public AddMemberRequest addRequest() {
    return AddMemberRequest.newBuilder().setId(peer.id()).setRaftAddress(peer.raft().toString())
        .setGrpcAddress(peer.grpc().toString()).build();
  }

  /**
   * The server, not started: the settings of {@code cluster}'s coordinator {@code from}, its peers
   * without {@code leftOut} (a removed member), and this one.
   */
  public CoordinatorServer create(MiniCluster cluster, int from, String... leftOut) throws Exception {
    if (server != null) {
      throw new IllegalStateException(peer.id() + " was created already");
    }
    CoordinatorConfig base = cluster.config(from);
    Set<String> skip = Set.of(leftOut);
    List<PeerConfig> peers = new ArrayList<>(base.peers().stream().filter(p -> !skip.contains(p.id())).toList());
    peers.add(peer);
    server = new CoordinatorServer(new CoordinatorConfig(peer.id(), base.clusterId(), dir.resolve("data"), peers,
        Optional.empty(), base.lease(), base.switchoverTimeout(), base.flows(), true));
    return server;
  }

  /** {@link #create}, then started. */
  public CoordinatorServer start(MiniCluster cluster, int from, String... leftOut) throws Exception {
    CoordinatorServer s = create(cluster, from, leftOut);
    s.start();
    return s;
  }

  /** The server made by {@link #create} (null before). */
  public CoordinatorServer server() {
    return server;
  }

  @Override
  public void close() {
    if (server != null) {
      server.kill();
    }
    TempDirs.delete(dir);
  }
}

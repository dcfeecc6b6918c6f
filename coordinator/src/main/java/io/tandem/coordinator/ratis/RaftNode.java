package io.tandem.coordinator.ratis;

import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Group;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One coordinator's Raft server. Writes and linearizable reads are submitted to the local server
 * (never through a remote RaftClient, which stalls for seconds on a frozen leader); a follower
 * answers {@link NotLeader} with the leader's id, and the gRPC layer redirects.
 *
 * <p>Bootstrap: the group id is derived from the cluster id, so every restart finds the same
 * group in the data dir. Storage opens with RECOVER, which formats an empty directory on the first
 * start and recovers the log and snapshots on every later one. The first peer in the config
 * campaigns first after a start (see {@link RaftSettings}), so a fresh cluster elects it without
 * competing candidates.
 */
public final class RaftNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
  private final CoordinatorConfig config;
  private final TandemStateMachine stateMachine = new TandemStateMachine();
  private final RaftGroup group;
  private final RaftPeerId selfId;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final RaftServer server;

  public RaftNode(CoordinatorConfig config) throws IOException {
    this.config = config;
    this.selfId = RaftPeerId.valueOf(config.nodeId());
    List<PeerConfig> peerConfigs = config.peers();
    List<RaftPeer> peers =
        peerConfigs.stream()
            .map(p -> RaftPeer.newBuilder()
                .setId(p.id())
                .setAddress(p.raft().toString())
                .build())
            .toList();
    this.group = RaftGroup.valueOf(groupId(config.clusterId()), peers);
    this.server =
        RaftServer.newBuilder()
            .setServerId(selfId)
            .setGroup(group)
            .setProperties(LargeEntries.apply(RaftSettings.properties(config)))
            .setStateMachine(stateMachine)
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
  }

  /** The fixed Raft group id of a cluster: the same on every peer and across restarts. */
  public static RaftGroupId groupId(String clusterId) {
    return RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes(("tandem-cluster:" + clusterId).getBytes(StandardCharsets.UTF_8)));
  }

  public void start() throws IOException {
    server.start();
  }

  public TandemStateMachine stateMachine() {
    return stateMachine;
  }

  public String selfId() {
    return selfId.toString();
  }

  public CoordinatorConfig config() {
    return config;
  }

  private RaftServer.Division division() {
    try {
      return server.getDivision(group.getGroupId());
    } catch (IOException e) {
      throw new UncheckedIOException("raft group " + group.getGroupId() + " is not open", e);
    }
  }

  private DivisionInfo info() {
    return division().getInfo();
  }

  /** Leader whose first entry of its term has been applied. */
  public boolean isLeaderReady() {
    DivisionInfo i = info();
    return i.isLeader() && i.isLeaderReady();
  }

  public Optional<String> leaderId() {
    return Optional.ofNullable(info().getLeaderId()).map(RaftPeerId::toString);
  }

  public long term() {
    return info().getCurrentTerm();
  }

  public RaftPeerRole role() {
    return info().getCurrentRole();
  }

  public long commitIndex() {
    return division().getRaftLog().getLastCommittedIndex();
  }

  public long lastAppliedIndex() {
    return info().getLastAppliedIndex();
  }

  /**
   * Commit index of every peer as this server knows it (on the leader: as the followers last
   * reported it; the lag of a follower is the leader's commit index minus this).
   */
  public Map<String, Long> peerCommitIndices() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (CommitInfoProto c : division().getCommitInfos()) {
      out.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
    }
    return out;
  }

  /**
   * On the leader: milliseconds since its last successful Raft RPC with each follower (Ratis's
   * {@code LeaderInfoProto.followerInfo.lastRpcElapsedTimeMs}, measured from the follower's last
   * reply, or from the start of this term if it never answered). Empty on a non-leader.
   */
  public Map<String, Long> followerLastContactMillis() {
    RoleInfoProto role = info().getRoleInfoProto();
    Map<String, Long> out = new LinkedHashMap<>();
    if (role.getRole() != RaftPeerRole.LEADER || !role.hasLeaderInfo()) {
      return out;
    }
    for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
      out.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs());
    }
    return out;
  }

  /** Proposes a command on this server; fails with {@link NotLeader} on a follower. */
  public CompletableFuture<CommandResult> submit(Command command) {
    RaftClientRequest request =
        newRequest(Message.valueOf(ByteString.copyFrom(command.toByteArray())))
            .setType(RaftClientRequest.writeRequestType())
            .build();
    return Replies.send(server, request).thenApply(Replies::commandResult);
  }

  /**
   * Linearizable read of one group on the leader: completes only if this server was the leader
   * of one unchanged term before and after the read, confirmed by a majority or by its leader
   * lease. A follower fails with {@link NotLeader} (it never serves this read itself).
   */
  public CompletableFuture<Optional<Group>> readGroup(String name) {
    DivisionInfo before = info();
    if (!before.isLeader() || !before.isLeaderReady()) {
      return CompletableFuture.failedFuture(new NotLeader(leaderId()));
    }
    long term = before.getCurrentTerm();
    RaftClientRequest request =
        newRequest(Message.valueOf(name)).setType(RaftClientRequest.readRequestType()).build();
    return Replies.send(server, request)
        .thenApply(
            reply -> {
              DivisionInfo after = info();
              if (!after.isLeader() || after.getCurrentTerm() != term) {
                throw new NotLeader(leaderId());
              }
              return Replies.group(reply);
            });
  }

  /** Forces a snapshot now (operators and tests); returns the index it covers. */
  public long takeSnapshot(long timeoutMs) throws IOException {
    RaftClientReply reply =
        server.snapshotManagement(
            SnapshotManagementRequest.newCreate(
                clientId, selfId, group.getGroupId(), callIds.incrementAndGet(), timeoutMs, 1));
    if (!reply.isSuccess()) {
      throw new IOException("snapshot failed: " + reply.getException());
    }
    return reply.getLogIndex();
  }

  /**
   * Hands leadership to the most caught-up follower before a planned stop ({@code close()} alone
   * does not: the others would wait an election timeout). Best effort.
   */
  public boolean transferLeadershipIfLeader(long timeoutMs) {
    if (!isLeaderReady()) {
      return false;
    }
    Optional<String> target =
        peerCommitIndices().entrySet().stream()
            .filter(e -> !e.getKey().equals(selfId.toString()))
            .max(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey);
    if (target.isEmpty()) {
      return false;
    }
    try {
      RaftClientReply reply =
          server.transferLeadership(
              new TransferLeadershipRequest(
                  clientId, selfId, group.getGroupId(), callIds.incrementAndGet(),
                  RaftPeerId.valueOf(target.get()), timeoutMs));
      if (!reply.isSuccess()) {
        LOG.info("leadership transfer to {} failed: {}", target.get(),
            String.valueOf(reply.getException()));
      }
      return reply.isSuccess();
    } catch (IOException | RuntimeException e) {
      LOG.info("leadership transfer to {} failed: {}", target.get(), e.toString());
      return false;
    }
  }

  private RaftClientRequest.Builder newRequest(Message message) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(selfId)
        .setGroupId(group.getGroupId())
        .setCallId(callIds.incrementAndGet())
        .setMessage(message);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

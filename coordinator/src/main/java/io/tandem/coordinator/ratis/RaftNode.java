package io.tandem.coordinator.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Group;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * One coordinator's Raft server. Writes and linearizable reads are submitted to the local
 * server (never through a remote RaftClient, which stalls for seconds on a frozen leader); a
 * follower answers {@link NotLeader} with the leader's id, and the gRPC layer redirects.
 */
public final class RaftNode implements AutoCloseable {
  private final CoordinatorConfig config;
  private final TandemStateMachine stateMachine = new TandemStateMachine();
  private final RaftGroup group;
  private final RaftPeerId selfId;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final RaftServer server;

  /** This server is not the (ready) leader; {@code leaderId} is empty when none is known. */
  public static final class NotLeader extends RuntimeException {
    private final Optional<String> leaderId;

    public NotLeader(Optional<String> leaderId) {
      super(leaderId.map(l -> "not the leader; the leader is " + l).orElse("no leader elected yet"));
      this.leaderId = leaderId;
    }

    public Optional<String> leaderId() {
      return leaderId;
    }
  }

  public RaftNode(CoordinatorConfig config) throws IOException {
    this.config = config;
    this.selfId = RaftPeerId.valueOf(config.nodeId());
    List<RaftPeer> peers =
        config.peers().stream()
            .map(
                p ->
                    RaftPeer.newBuilder()
                        .setId(p.id())
                        .setAddress(p.raft().toString())
                        .build())
            .toList();
    UUID groupUuid =
        UUID.nameUUIDFromBytes(("tandem-cluster:" + config.clusterId()).getBytes(StandardCharsets.UTF_8));
    this.group = RaftGroup.valueOf(RaftGroupId.valueOf(groupUuid), peers);
    this.server =
        RaftServer.newBuilder()
            .setServerId(selfId)
            .setGroup(group)
            .setProperties(properties(config))
            .setStateMachine(stateMachine)
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
  }

  private static RaftProperties properties(CoordinatorConfig config) {
    RaftProperties p = new RaftProperties();
    PeerConfig self = config.self();
    RaftServerConfigKeys.setStorageDir(p, List.of(config.dataDir().toFile()));
    GrpcConfigKeys.Server.setHost(p, self.raft().host());
    GrpcConfigKeys.Server.setPort(p, self.raft().port());
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    RaftServerConfigKeys.Read.setTimeout(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, 1000);
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 3);
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(150, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
    return p;
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

  private DivisionInfo info() {
    try {
      return server.getDivision(group.getGroupId()).getInfo();
    } catch (IOException e) {
      throw new IllegalStateException("raft division unavailable", e);
    }
  }

  /** Leader whose first entry of its term has been applied. */
  public boolean isLeaderReady() {
    DivisionInfo i = info();
    return i.isLeader() && i.isLeaderReady();
  }

  public Optional<String> leaderId() {
    RaftPeerId id = info().getLeaderId();
    return Optional.ofNullable(id).map(RaftPeerId::toString);
  }

  public long term() {
    return info().getCurrentTerm();
  }

  public RaftPeerRole role() {
    return info().getCurrentRole();
  }

  public long commitIndex() {
    try {
      return server.getDivision(group.getGroupId()).getRaftLog().getLastCommittedIndex();
    } catch (IOException e) {
      return -1;
    }
  }

  public long lastAppliedIndex() {
    return info().getLastAppliedIndex();
  }

  /** Match index per peer id, known on the leader only (empty otherwise). */
  public java.util.Map<String, Long> followerMatchIndices() {
    var result = new java.util.LinkedHashMap<String, Long>();
    try {
      var division = server.getDivision(group.getGroupId());
      if (!division.getInfo().isLeader()) {
        return result;
      }
      long[] match = division.getInfo().getFollowerMatchIndices();
      var followers =
          division.getRaftConf().getCurrentPeers().stream()
              .filter(p -> !p.getId().equals(selfId))
              .toList();
      for (int i = 0; i < Math.min(match.length, followers.size()); i++) {
        result.put(followers.get(i).getId().toString(), match[i]);
      }
    } catch (IOException | RuntimeException e) {
      // unknown: an empty map
    }
    return result;
  }

  /** Proposes a command on this server; fails with {@link NotLeader} on a follower. */
  public CompletableFuture<CommandResult> submit(Command command) {
    RaftClientRequest request =
        newRequest(Message.valueOf(ByteString.copyFrom(command.toByteArray())))
            .setType(RaftClientRequest.writeRequestType())
            .build();
    return submit(request)
        .thenApply(
            reply -> {
              try {
                return CommandResult.parseFrom(reply.getMessage().getContent().toByteArray());
              } catch (InvalidProtocolBufferException e) {
                throw new CompletionException(e);
              }
            });
  }

  /**
   * Linearizable read of one group: completes only if this server was the leader, confirmed by
   * a majority or by its leader lease, at some moment after the call.
   */
  public CompletableFuture<Optional<Group>> readGroup(String name) {
    RaftClientRequest request =
        newRequest(Message.valueOf(name))
            .setType(RaftClientRequest.readRequestType())
            .build();
    return submit(request)
        .thenApply(
            reply -> {
              var content = reply.getMessage().getContent();
              if (content.isEmpty()) {
                return Optional.<Group>empty();
              }
              try {
                return Optional.of(Group.parseFrom(content.toByteArray()));
              } catch (InvalidProtocolBufferException e) {
                throw new CompletionException(e);
              }
            });
  }

  private RaftClientRequest.Builder newRequest(Message message) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(selfId)
        .setGroupId(group.getGroupId())
        .setCallId(callIds.incrementAndGet())
        .setMessage(message);
  }

  private CompletableFuture<RaftClientReply> submit(RaftClientRequest request) {
    CompletableFuture<RaftClientReply> f;
    try {
      f = server.submitClientRequestAsync(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return f.thenApply(
        reply -> {
          if (reply.isSuccess()) {
            return reply;
          }
          NotLeaderException nle = reply.getNotLeaderException();
          if (nle != null) {
            throw new NotLeader(
                Optional.ofNullable(nle.getSuggestedLeader()).map(p -> p.getId().toString()));
          }
          RaftException e = reply.getException();
          if (e != null && e.getClass().getSimpleName().equals("LeaderNotReadyException")) {
            throw new NotLeader(Optional.empty());
          }
          throw new CompletionException(
              e != null ? e : new IllegalStateException("raft request failed: " + reply));
        });
  }

  /** Hands leadership to another peer before a planned stop (RaftServer.close does not). */
  public void transferLeadershipIfLeader(long timeoutMs) {
    if (!isLeaderReady()) {
      return;
    }
    try (var client =
        org.apache.ratis.client.RaftClient.newBuilder()
            .setRaftGroup(group)
            .setProperties(new RaftProperties())
            .build()) {
      client.admin().transferLeadership(null, timeoutMs);
    } catch (IOException | RuntimeException e) {
      // best effort: the others elect a leader anyway
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

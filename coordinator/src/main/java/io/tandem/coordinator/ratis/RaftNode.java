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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
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
import org.apache.ratis.protocol.SetConfigurationRequest;
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
  /** How long a coordinator being added may take to catch up before the change fails. */
  public static final long STAGING_TIMEOUT_MS = 20_000;
  /**
   * The leader sends every follower an AppendEntries (entries or a heartbeat) at least this often
   * (Ratis: half the minimum election timeout), so a running follower answers about this often.
   */
  public static final long HEARTBEAT_INTERVAL_MS = RaftSettings.ELECTION_TIMEOUT_MIN_MS / 2;
  /**
   * A leader counts a follower for its majority only if the follower answered within this long
   * (Ratis: the maximum election timeout); without a majority so counted it steps down.
   */
  public static final long LEADER_COUNTS_ANSWERS_WITHIN_MS = RaftSettings.ELECTION_TIMEOUT_MAX_MS;

  public RaftNode(CoordinatorConfig config) throws IOException {
    this.config = config;
    this.selfId = RaftPeerId.valueOf(config.nodeId());
    // A joining node starts as a listener of its initial group: a listener never campaigns, and
    // the leader's configuration that adds it as a member promotes it to a follower. (As a member
    // it would campaign, and the voters, whose configuration does not know it, answer "shut
    // down": its Raft server closes and it never catches up.) With a data dir, Ratis uses the
    // stored configuration and this initial group does not matter.
    List<PeerConfig> peerConfigs = config.peers();
    List<RaftPeer> peers =
        peerConfigs.stream()
            .map(p -> RaftPeer.newBuilder()
                .setId(p.id())
                .setAddress(p.raft().toString())
                .setClientAddress(p.grpc().toString())
                .setStartupRole(config.join() && p.id().equals(config.nodeId())
                    ? RaftPeerRole.LISTENER : RaftPeerRole.FOLLOWER)
                .build())
            .toList();
    this.group = RaftGroup.valueOf(groupId(config.clusterId()), peers);
    this.server =
        RaftServer.newBuilder()
            .setServerId(selfId)
            .setGroup(group)
            .setProperties(LargeEntries.apply(RaftSettings.properties(config)))
            .setStateMachine(stateMachine)
            .setParameters(RaftTls.parameters(config.tls()))
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

  /** Index of the last entry in this server's log (-1: empty). */
  public long lastLogIndex() {
    return division().getRaftLog().getLastEntryTermIndex() == null ? -1
        : division().getRaftLog().getLastEntryTermIndex().getIndex();
  }

  /**
   * How many entries this server's applied state trails the leader's commit index, as far as
   * this server knows: 0 on the leader; on a follower, the leader's commit index (sent with every
   * append) minus what it applied. Empty when no leader is known (an election, or cut off).
   */
  public java.util.OptionalLong appliedBehindLeader() {
    DivisionInfo i = info();
    if (i.isLeader()) {
      return java.util.OptionalLong.of(Math.max(0, commitIndex() - i.getLastAppliedIndex()));
    }
    RaftPeerId leader = i.getLeaderId();
    if (leader == null) {
      return java.util.OptionalLong.empty();
    }
    long leaderCommit = division().getCommitInfos().stream()
        .filter(c -> c.getServer().getId().toStringUtf8().equals(leader.toString()))
        .mapToLong(org.apache.ratis.proto.RaftProtos.CommitInfoProto::getCommitIndex)
        .findFirst().orElse(-1);
    if (leaderCommit < 0) {
      return java.util.OptionalLong.empty();
    }
    return java.util.OptionalLong.of(Math.max(0, leaderCommit - i.getLastAppliedIndex()));
  }

  /**
   * The peers of the Raft configuration this server runs with (id to Raft address): on a restart,
   * the one stored in its data dir and log, which wins over the peers of the config file.
   */
  public Map<String, String> raftConfPeers() {
    Map<String, String> out = new java.util.TreeMap<>();
    for (RaftPeer p : division().getRaftConf().getCurrentPeers()) {
      out.put(p.getId().toString(), p.getAddress());
    }
    return out;
  }

  /**
   * The coordinators of the Raft configuration this server runs with, by id, each with
   * its gRPC address. That address lives in the Raft peer's client address (replicated with the
   * configuration by {@link #changeMembers}); a configuration stored before it was kept there
   * has none, and the config file's address of that id is used. A peer with neither is left out.
   */
  public List<PeerConfig> members() {
    java.util.ArrayList<PeerConfig> out = new java.util.ArrayList<>();
    for (RaftPeer p : division().getRaftConf().getCurrentPeers()) {
      member(p).ifPresent(out::add);
    }
    out.sort(java.util.Comparator.comparing(PeerConfig::id)); // Ratis keeps no order
    return out;
  }

  /**
   * The coordinators that are Raft listeners of the running configuration: a coordinator being
   * added (tandemctl members add) while it catches up. A listener receives the log but counts for
   * no majority and never campaigns; it is not a member ({@link #members}).
   */
  public List<PeerConfig> listeners() {
    java.util.ArrayList<PeerConfig> out = new java.util.ArrayList<>();
    for (RaftPeer p : division().getRaftConf().getCurrentPeers(RaftPeerRole.LISTENER)) {
      member(p).ifPresent(out::add);
    }
    out.sort(java.util.Comparator.comparing(PeerConfig::id));
    return out;
  }

  /** One coordinator of the running Raft configuration, by id. */
  public Optional<PeerConfig> member(String id) {
    return members().stream().filter(m -> m.id().equals(id)).findFirst();
  }

  /** True while a configuration change is being committed (joint consensus or catch-up). */
  public boolean membersChanging() {
    return !division().getRaftConf().getPreviousPeers().isEmpty();
  }

  private Optional<PeerConfig> member(RaftPeer p) {
    String id = p.getId().toString();
    Optional<PeerConfig> fromFile = config.peer(id);
    String client = p.getClientAddress();
    try {
      io.tandem.common.config.HostPort raft = io.tandem.common.config.HostPort.parse(p.getAddress());
      if (client != null && !client.isBlank()) {
        return Optional.of(new PeerConfig(id, raft, io.tandem.common.config.HostPort.parse(client)));
      }
      return fromFile.map(f -> new PeerConfig(id, raft, f.grpc()));
    } catch (IllegalArgumentException e) {
      return fromFile;
    }
  }

  /**
   * Sets the Raft configuration to {@code next}, if it still is {@code current} (compare and set,
   * so two operators' changes cannot overwrite each other). Ratis first sends a new peer the log
   * (or the latest snapshot) until it is within the staging gap, then commits the joint and the
   * new configuration; a new peer that does not catch up within the staging timeout fails the
   * change, and the configuration stays as it was. Leader only (Ratis answers NotLeader).
   */
  public CompletableFuture<RaftClientReply> changeMembers(List<PeerConfig> current, List<PeerConfig> next) {
    return changeConfiguration(current, List.of(), next, List.of());
  }

  /**
   * As {@link #changeMembers}, with the listeners of each side: the members (voters) and the
   * listeners must both still be {@code currentMembers} and {@code currentListeners}. A peer that
   * is a listener already (it has caught up) is not staged again when it becomes a member: Ratis
   * goes straight to the joint configuration.
   */
  public CompletableFuture<RaftClientReply> changeConfiguration(List<PeerConfig> currentMembers,
      List<PeerConfig> currentListeners, List<PeerConfig> nextMembers, List<PeerConfig> nextListeners) {
    SetConfigurationRequest.Arguments args = SetConfigurationRequest.Arguments.newBuilder()
        .setServersInCurrentConf(raftPeers(currentMembers))
        .setListenersInCurrentConf(raftPeers(currentListeners))
        .setServersInNewConf(raftPeers(nextMembers))
        .setListenersInNewConf(raftPeers(nextListeners))
        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
        .build();
    try {
      return server.setConfigurationAsync(new SetConfigurationRequest(
          clientId, selfId, group.getGroupId(), callIds.incrementAndGet(), args))
          .thenApply(Replies::checked);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static List<RaftPeer> raftPeers(List<PeerConfig> peers) {
    return peers.stream()
        .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.raft().toString())
            .setClientAddress(p.grpc().toString()).build())
        .toList();
  }

  /** Milliseconds this server has been in its current role (e.g. a candidate without votes). */
  public long roleElapsedMillis() {
    return info().getRoleInfoProto().getRoleElapsedTimeMs();
  }

  public long lastAppliedIndex() {
    return info().getLastAppliedIndex();
  }

  /**
   * On the leader: what each follower really acknowledged (match index, and its commit index as
   * it last reported it), from the leader's live follower records. Empty on a non-leader. A
   * follower that lost its log reads -1 here until it has been sent the log again (Ratis' own
   * commit infos would keep showing the highest index it ever reported).
   */
  public Map<String, FollowerProgress> followerProgress() {
    if (!info().isLeader()) {
      return Map.of();
    }
    return factory().followers().progress();
  }

  TandemGrpcFactory factory() {
    return (TandemGrpcFactory) server.getFactory();
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

  /**
   * On the leader: for each follower that answered this leader, nanoseconds since the leader
   * sent the newest AppendEntries (entries or a heartbeat) that the follower answered. Unlike
   * {@link #followerLastContactMillis} (the time of the last reply), this says the follower was
   * running less than that long ago: it received that request then. A follower that has not
   * answered this leader yet is absent. Empty on a non-leader.
   */
  public Map<String, Long> followerAnsweredRequestAgeNanos() {
    if (!info().isLeader()) {
      return Map.of();
    }
    return factory().followers().answeredRequestAgeNanos();
  }

  /**
   * On the leader, after a listener it staged became a member: marks it as caught up, as Ratis
   * does for a peer staged as a follower (else the next failed staging of another peer on this
   * leader would stop its log appender: {@link org.apache.ratis.server.impl.PromotedListeners}).
   * False if this server is not the leader or has no appender for it.
   */
  public boolean markCaughtUp(String id) {
    return info().isLeader() && factory().followers().markCaughtUp(id);
  }

  /** Proposes a command on this server; fails with {@link NotLeader} on a follower. */
  public CompletableFuture<CommandResult> submit(Command command) {
    RaftClientRequest request =
        newRequest(Message.valueOf(ByteString.copyFrom(command.toByteArray())))
            .setType(RaftClientRequest.writeRequestType())
            .build();
    return Replies.send(server, request).thenApply(Replies::commandResult);
  }

  /** Heartbeats' reads: one linearizable read shared by the calls that arrived while one was in flight. */
  private final java.util.concurrent.ExecutorService readSender =
      java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tandem-read-batches");
        t.setDaemon(true);
        return t;
      });
  private final ReadBatches heartbeatReads = new ReadBatches(() -> readGroup(""), readSender);

  /**
   * As {@link #readGroup}, for the heartbeat path: one linearizable read (of nothing) sent after
   * this call, shared with every call that arrived meanwhile ({@link ReadBatches}), then the group
   * from this server's applied state, which is at least as new as that read's. Same guarantees as
   * a read of its own: leadership of one unchanged term confirmed after the call arrived, and every
   * entry committed before it applied. Under load this is one Raft read per batch instead of one
   * per heartbeat (and no copy of the group through a Raft message).
   */
  public CompletableFuture<Optional<Group>> readGroupShared(String name) {
    return heartbeatReads.confirm()
        .thenApply(v -> Optional.ofNullable(stateMachine().state().getGroupsMap().get(name)));
  }

  /**
   * Completes once this server's applied state holds every entry the cluster committed before the
   * call, so that reading it is linearizable on any coordinator. The leader joins the heartbeats'
   * shared read ({@link #readGroupShared}). A follower uses Ratis' ReadIndex: it asks the leader
   * for its commit index (which the leader gives only after confirming its leadership) and waits
   * until it has applied that far. Fails with {@link NotLeader} or Ratis' read exception (no
   * leader known, a snapshot being installed, the leader did not answer).
   */
  public CompletableFuture<Void> confirmApplied() {
    DivisionInfo i = info();
    if (i.isLeader() && i.isLeaderReady()) {
      return heartbeatReads.confirm();
    }
    RaftClientRequest request =
        newRequest(Message.valueOf("")).setType(RaftClientRequest.readRequestType()).build();
    return Replies.send(server, request).thenApply(reply -> null);
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
   * A follower answered the leader within this long: it is running (a follower that is itself
   * stopping, as in a whole-cluster stop, soon stops answering and is not a transfer target).
   */
  static final long TRANSFER_TARGET_ANSWERED_WITHIN_MS = 300;

  /**
   * Hands leadership to the most caught-up follower before a planned stop ({@code close()} alone
   * does not: the others would wait an election timeout). Best effort and bounded: only to a
   * follower that answered within {@link #TRANSFER_TARGET_ANSWERED_WITHIN_MS}, and no longer
   * than {@code timeoutMs} (a transfer takes tens of milliseconds; a target that is stopping too
   * never completes it). Says in the log why it did not hand over.
   */
  public boolean transferLeadershipIfLeader(long timeoutMs) {
    if (!isLeaderReady()) {
      return false;
    }
    Map<String, Long> contact = followerLastContactMillis();
    Optional<String> target =
        followerProgress().entrySet().stream()
            .filter(e -> !e.getKey().equals(selfId.toString()))
            .filter(e -> contact.getOrDefault(e.getKey(), Long.MAX_VALUE) <= TRANSFER_TARGET_ANSWERED_WITHIN_MS)
            .max(Map.Entry.comparingByValue(
                java.util.Comparator.comparingLong(FollowerProgress::matchIndex)))
            .map(Map.Entry::getKey);
    if (target.isEmpty()) {
      LOG.info("no follower answered in the last {} ms (they may be stopping too): stopping"
          + " without a leadership transfer", TRANSFER_TARGET_ANSWERED_WITHIN_MS);
      return false;
    }
    String to = target.get();
    CompletableFuture<RaftClientReply> pending;
    try {
      pending = server.transferLeadershipAsync(new TransferLeadershipRequest(
          clientId, selfId, group.getGroupId(), callIds.incrementAndGet(), RaftPeerId.valueOf(to), timeoutMs));
    } catch (IOException | RuntimeException e) {
      return transferFailed(to, timeoutMs, e.toString());
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (true) {
      try {
        RaftClientReply reply = pending.get(TRANSFER_POLL_MS, TimeUnit.MILLISECONDS);
        return reply.isSuccess() || transferFailed(to, timeoutMs, String.valueOf(reply.getException()));
      } catch (TimeoutException e) {
        if (System.nanoTime() - deadline > 0) {
          return transferFailed(to, timeoutMs, "no answer within the limit");
        }
        // A target that is stopping too (a whole-cluster stop) stops answering heartbeats: give up
        // then instead of at the limit. While this node steps down it is no longer the leader and
        // the reply is on its way.
        Long silent = followerLastContactMillis().get(to);
        if (silent != null && silent > TRANSFER_TARGET_ANSWERED_WITHIN_MS) {
          return transferFailed(to, timeoutMs, to + " stopped answering " + silent + " ms ago");
        }
      } catch (ExecutionException e) {
        return transferFailed(to, timeoutMs, String.valueOf(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return transferFailed(to, timeoutMs, "interrupted");
      }
    }
  }

  /** How often a pending leadership transfer looks at whether its target still answers. */
  static final long TRANSFER_POLL_MS = 20;

  private static boolean transferFailed(String to, long timeoutMs, String why) {
    LOG.info("leadership transfer to {} failed or timed out (limit {} ms; it may be stopping too);"
        + " stopping without it: {}", to, timeoutMs, why);
    return false;
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
    readSender.shutdownNow();
    server.close();
  }
}

package io.tandem.coordinator.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tandem.common.config.HostPort;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.ratis.NotLeader;
import io.tandem.coordinator.ratis.RaftNode;
import io.tandem.proto.admin.AddMemberRequest;
import io.tandem.proto.admin.MembersResponse;
import io.tandem.proto.admin.RemoveMemberRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.ReconfigurationTimeoutException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tandemctl members add|remove: a Raft configuration change on the leader, refused before it
 * starts when it could lose the majority ({@link Quorum}) with the coordinators that answered the
 * leader after the request arrived ({@link MemberLiveness}). The gRPC address of each coordinator
 * travels with the configuration (the Raft peer's client address), so every coordinator, and
 * through the heartbeats every agent, learns an added coordinator's address.
 */
final class MemberChanges {
  private static final Logger LOG = LoggerFactory.getLogger(MemberChanges.class);

  /** How often a change looks again whether the coordinators it needs have answered. */
  static final long CONFIRM_POLL_MILLIS = 10;
  private static final ScheduledExecutorService CONFIRMS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tandem-member-change-confirm");
    t.setDaemon(true);
    return t;
  });

  private final ServiceContext ctx;
  private final StatusViews views;

  MemberChanges(ServiceContext ctx, StatusViews views) {
    this.ctx = ctx;
    this.views = views;
  }

  void add(AddMemberRequest req, StreamObserver<MembersResponse> out) {
    PeerConfig added;
    List<PeerConfig> current;
    try {
      current = leaderMembers();
      String id = req.getId().trim();
      if (id.isEmpty() || !id.matches("[A-Za-z0-9._-]+")) {
        throw Errors.invalid("coordinator id \"" + req.getId() + "\" is not valid: use letters,"
            + " digits, '.', '_' and '-'");
      }
      added = new PeerConfig(id, parse("raft", req.getRaftAddress()), parse("grpc", req.getGrpcAddress()));
      for (PeerConfig m : current) {
        if (m.id().equals(id)) {
          throw Status.ALREADY_EXISTS.withDescription("coordinator " + id + " is already a member"
              + " (raft " + m.raft() + ", grpc " + m.grpc() + ")").asRuntimeException();
        }
        if (m.raft().equals(added.raft()) || m.grpc().equals(added.grpc())
            || m.raft().equals(added.grpc()) || m.grpc().equals(added.raft())) {
          throw Errors.invalid("an address of " + id + " is already used by member " + m.id()
              + " (raft " + m.raft() + ", grpc " + m.grpc() + ")");
        }
      }
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    List<PeerConfig> next = new ArrayList<>(current);
    next.add(added);
    change(current, next, "add " + added.id() + " (raft " + added.raft() + ", grpc "
        + added.grpc() + ")", out);
  }

  void remove(RemoveMemberRequest req, StreamObserver<MembersResponse> out) {
    List<PeerConfig> current;
    try {
      current = leaderMembers();
      if (current.stream().noneMatch(m -> m.id().equals(req.getId()))) {
        throw Errors.notFound("coordinator \"" + req.getId() + "\" is not a member; the members"
            + " are " + current.stream().map(PeerConfig::id).toList());
      }
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    List<PeerConfig> next = current.stream().filter(m -> !m.id().equals(req.getId())).toList();
    change(current, next, "remove " + req.getId(), out);
  }

  private void change(List<PeerConfig> current, List<PeerConfig> next, String what,
      StreamObserver<MembersResponse> out) {
    confirmThenChange(current, next, what, System.nanoTime(), out);
  }

  /**
   * Proposes the change once the coordinators it needs answered the leader after the request
   * arrived ({@link MemberLiveness}); until then it looks again every {@link #CONFIRM_POLL_MILLIS}.
   */
  private void confirmThenChange(List<PeerConfig> current, List<PeerConfig> next, String what,
      long arrivedNanos, StreamObserver<MembersResponse> out) {
    MemberLiveness.Verdict verdict;
    long waitedNanos;
    try {
      RaftNode raft = ctx.raft();
      if (!raft.isLeaderReady()) {
        throw new NotLeader(raft.leaderId());
      }
      waitedNanos = System.nanoTime() - arrivedNanos; // before the samples (see MemberLiveness)
      Map<String, Long> answered = raft.followerAnsweredRequestAgeNanos();
      verdict = MemberLiveness.judge(ids(current), ids(next), raft.selfId(), waitedNanos,
          raft.followerLastContactMillis(), answered);
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    if (verdict instanceof MemberLiveness.Wait) {
      CONFIRMS.schedule(() -> confirmThenChange(current, next, what, arrivedNanos, out),
          CONFIRM_POLL_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    if (verdict instanceof MemberLiveness.Refuse refuse) {
      LOG.warn("refused to {}: {}", what, refuse.why());
      out.onError(Errors.precondition("refused to " + what + ": " + refuse.why()));
      return;
    }
    LOG.info("membership change: {} (from {} to {}; counting {}, heard from after the request, {} ms)", what,
        ids(current), ids(next), ((MemberLiveness.Proceed) verdict).live(), waitedNanos / 1_000_000);
    ctx.raft().changeMembers(current, next).whenComplete((reply, err) -> {
      if (err == null) {
        LOG.info("membership change done: {}; members now {}", what, ids(ctx.raft().members()));
        out.onNext(MembersResponse.newBuilder().addAllMembers(views.peers()).build());
        out.onCompleted();
        return;
      }
      Throwable t = Errors.unwrap(err);
      LOG.warn("membership change failed: {}: {}", what, t.toString());
      out.onError(failure(what, t));
    });
  }

  private RuntimeException failure(String what, Throwable t) {
    if (t instanceof ReconfigurationTimeoutException) {
      // not DEADLINE_EXCEEDED: clients treat that as a missing answer and would lose this one
      return Errors.precondition(what + " failed: the new coordinator did not catch up within "
          + RaftNode.STAGING_TIMEOUT_MS / 1000 + " s (is it running, with the same clusterId,"
          + " listening on its raft address, and reachable from the leader?); the members are"
          + " unchanged");
    }
    if (t instanceof ReconfigurationInProgressException) {
      return Errors.precondition(what + " refused: another membership change is in progress;"
          + " retry when it is done");
    }
    if (t instanceof SetConfigurationException) {
      return Status.ABORTED.withDescription(what + " refused: the members changed meanwhile ("
          + t.getMessage() + "); check `tandemctl members list` and retry").asRuntimeException();
    }
    return ctx.errors().of(t);
  }

  /** The members, on a leader that is ready and not in the middle of another change. */
  private List<PeerConfig> leaderMembers() {
    RaftNode raft = ctx.raft();
    if (!raft.isLeaderReady()) {
      throw new NotLeader(raft.leaderId());
    }
    if (raft.membersChanging()) {
      throw Errors.precondition("another membership change is in progress; retry when it is done");
    }
    return raft.members();
  }

  private static List<String> ids(List<PeerConfig> peers) {
    return peers.stream().map(PeerConfig::id).toList();
  }

  private static HostPort parse(String what, String address) {
    try {
      return HostPort.parse(address);
    } catch (IllegalArgumentException e) {
      throw Errors.invalid(what + " address \"" + address + "\" is not host:port: " + e.getMessage());
    }
  }
}

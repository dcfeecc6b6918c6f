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
import java.util.List;
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
 * through the heartbeats every agent, learns an added coordinator's address. An add goes through
 * a Raft listener first ({@link MemberAdd}); a coordinator left a listener by an interrupted add
 * is resumed by the same add, or removed by a remove.
 */
final class MemberChanges {
  private static final Logger LOG = LoggerFactory.getLogger(MemberChanges.class);

  private final ServiceContext ctx;
  private final StatusViews views;
  private final LivenessGate gate;

  MemberChanges(ServiceContext ctx, StatusViews views) {
    this.ctx = ctx;
    this.views = views;
    this.gate = new LivenessGate(ctx);
  }

  void add(AddMemberRequest req, StreamObserver<MembersResponse> out) {
    PeerConfig added;
    List<PeerConfig> current;
    List<PeerConfig> listeners;
    try {
      current = leaderMembers();
      listeners = ctx.raft().listeners();
      String id = req.getId().trim();
      if (id.isEmpty() || !id.matches("[A-Za-z0-9._-]+")) {
        throw Errors.invalid("coordinator id \"" + req.getId() + "\" is not valid: use letters,"
            + " digits, '.', '_' and '-'");
      }
      added = new PeerConfig(id, parse("raft", req.getRaftAddress()), parse("grpc", req.getGrpcAddress()));
      if (!listeners.isEmpty() && !listeners.equals(List.of(added))) {
        throw listenerInTheWay(listeners);
      }
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
    MemberAdd add = new MemberAdd(ctx, views, current, added, out);
    if (listeners.isEmpty()) {
      add.start();
    } else {
      add.resume();
    }
  }

  void remove(RemoveMemberRequest req, StreamObserver<MembersResponse> out) {
    List<PeerConfig> current;
    List<PeerConfig> listeners;
    try {
      current = leaderMembers();
      listeners = ctx.raft().listeners();
      if (listeners.stream().anyMatch(l -> l.id().equals(req.getId()))) {
        removeListener(current, listeners, req.getId(), out);
        return;
      }
      if (!listeners.isEmpty()) {
        throw listenerInTheWay(listeners);
      }
      if (current.stream().noneMatch(m -> m.id().equals(req.getId()))) {
        throw Errors.notFound("coordinator \"" + req.getId() + "\" is not a member; the members"
            + " are " + LivenessGate.ids(current));
      }
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    List<PeerConfig> next = current.stream().filter(m -> !m.id().equals(req.getId())).toList();
    String what = "remove " + req.getId();
    confirmThen(current, next, what, out, () -> ctx.raft().changeMembers(current, next)
        .whenComplete((reply, err) -> answer(what, err, out)));
  }

  /** A listener counts for no majority: removing it needs only the current majority. */
  private void removeListener(List<PeerConfig> current, List<PeerConfig> listeners, String id,
      StreamObserver<MembersResponse> out) {
    List<PeerConfig> rest = listeners.stream().filter(l -> !l.id().equals(id)).toList();
    String what = "remove the Raft listener " + id + " (a coordinator that was being added)";
    confirmThen(current, current, what, out, () -> ctx.raft().changeConfiguration(current, listeners, current, rest)
        .whenComplete((reply, err) -> answer(what, err, out)));
  }

  /** Runs {@code change} once the members it needs answered after now ({@link LivenessGate}). */
  private void confirmThen(List<PeerConfig> current, List<PeerConfig> next, String what,
      StreamObserver<MembersResponse> out, Runnable change) {
    gate.confirmThen(current, next, what, "", out, change);
  }

  private void answer(String what, Throwable err, StreamObserver<MembersResponse> out) {
    if (err == null) {
      LOG.info("membership change done: {}; members now {}", what, LivenessGate.ids(ctx.raft().members()));
      out.onNext(MembersResponse.newBuilder().addAllMembers(views.peers()).build());
      out.onCompleted();
      return;
    }
    Throwable t = Errors.unwrap(err);
    LOG.warn("membership change failed: {}: {}", what, t.toString());
    out.onError(failure(ctx, what, t));
  }

  private static RuntimeException listenerInTheWay(List<PeerConfig> listeners) {
    String ids = String.join(", ", LivenessGate.ids(listeners));
    return Errors.precondition("coordinator " + ids + " is a Raft listener: it is being added, or an add"
        + " was interrupted (a leader change); wait for that add, or retry it, or run `tandemctl members"
        + " remove " + listeners.get(0).id() + "`");
  }

  /** The operator's message for a Raft configuration change that failed. */
  static RuntimeException failure(ServiceContext ctx, String what, Throwable t) {
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

  /** {@code address} as host:port; else INVALID_ARGUMENT naming which address and what is wrong. */
  static HostPort parse(String what, String address) {
    try {
      return HostPort.parse(address);
    } catch (IllegalArgumentException e) {
      throw Errors.invalid(what + " address: " + e.getMessage()); // it quotes the address itself
    }
  }
}

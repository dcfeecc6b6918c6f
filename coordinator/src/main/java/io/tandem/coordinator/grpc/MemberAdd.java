package io.tandem.coordinator.grpc;

import io.grpc.stub.StreamObserver;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.ratis.FollowerProgress;
import io.tandem.coordinator.ratis.NotLeader;
import io.tandem.coordinator.ratis.RaftNode;
import io.tandem.proto.admin.MembersResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code tandemctl members add}, in two configuration changes (issue 13). Ratis stages a new
 * member (sends it the log or a snapshot) before the joint configuration, which can take seconds;
 * a liveness check made before that is stale by the time the new majority is needed. So:
 *
 * <ol>
 *   <li>confirm the change keeps a majority with the members that answer now ({@link LivenessGate});
 *   <li>add the coordinator as a Raft listener: it is sent the log and counts for no majority, so
 *       this change cannot stall the cluster however long the catch-up takes;
 *   <li>wait until it holds every entry committed when the wait began (at most
 *       {@link #CATCH_UP_WITHIN_MILLIS});
 *   <li>confirm again, with answers given after that moment;
 *   <li>promote it to a member: Ratis does not stage a listener again, so the joint configuration
 *       starts at once, right after the fresh check.
 * </ol>
 *
 * A failed catch-up or a refused second check removes the listener again: the members are as
 * before, and the operator is told why.
 */
final class MemberAdd {
  private static final Logger LOG = LoggerFactory.getLogger(MemberAdd.class);
  /** How long an added listener may take to hold every committed entry after Ratis staged it. */
  static final long CATCH_UP_WITHIN_MILLIS = 5000;

  private final ServiceContext ctx;
  private final StatusViews views;
  private final LivenessGate gate;
  private final List<PeerConfig> current;
  private final PeerConfig added;
  private final List<PeerConfig> next;
  private final String what;
  private final StreamObserver<MembersResponse> out;

  MemberAdd(ServiceContext ctx, StatusViews views, List<PeerConfig> current, PeerConfig added,
      StreamObserver<MembersResponse> out) {
    this.ctx = ctx;
    this.views = views;
    this.gate = new LivenessGate(ctx);
    this.current = List.copyOf(current);
    this.added = added;
    List<PeerConfig> n = new ArrayList<>(current);
    n.add(added);
    this.next = List.copyOf(n);
    this.what = "add " + added.id() + " (raft " + added.raft() + ", grpc " + added.grpc() + ")";
    this.out = out;
  }

  /** From the start: the added coordinator is not in the configuration yet. */
  void start() {
    gate.confirmThen(current, next, what, "; adding it as a Raft listener first", out, this::addListener);
  }

  /** The added coordinator is a listener already (an add interrupted by a leader change). */
  void resume() {
    LOG.info("membership change: {}: it is a Raft listener already; going on from its catch-up", what);
    awaitCaughtUp();
  }

  private void addListener() {
    ctx.raft().changeConfiguration(current, List.of(), current, List.of(added)).whenComplete((reply, err) -> {
      if (err != null) {
        Throwable t = Errors.unwrap(err);
        LOG.warn("membership change failed: {}: adding it as a listener: {}", what, t.toString());
        out.onError(MemberChanges.failure(ctx, what, t));
        return;
      }
      LOG.info("membership change: {}: it is a Raft listener (counts for no majority)", what);
      awaitCaughtUp();
    });
  }

  private void awaitCaughtUp() {
    long target;
    try {
      target = leader().commitIndex();
    } catch (RuntimeException e) {
      out.onError(leftAsListener(e));
      return;
    }
    pollCaughtUp(target, System.nanoTime());
  }

  private void pollCaughtUp(long target, long sinceNanos) {
    long match;
    try {
      FollowerProgress p = leader().followerProgress().get(added.id());
      match = p == null ? -1 : p.matchIndex();
    } catch (RuntimeException e) {
      out.onError(leftAsListener(e));
      return;
    }
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    if (match >= target) {
      LOG.info("membership change: {}: it holds every committed entry (match index {} >= {}) after {} ms;"
          + " confirming the members again", what, match, target, waitedMillis);
      confirmAgain();
    } else if (waitedMillis >= CATCH_UP_WITHIN_MILLIS) {
      rollback(what + " failed: " + added.id() + " did not catch up within " + CATCH_UP_WITHIN_MILLIS
          + " ms as a Raft listener (it holds the log up to index " + match + ", the leader had committed "
          + target + "; is it overloaded, or installing a snapshot?)");
    } else {
      LivenessGate.later(() -> pollCaughtUp(target, sinceNanos));
    }
  }

  private void confirmAgain() {
    gate.confirm(current, next, new LivenessGate.Outcome() {
      @Override
      public void proceed(Set<String> live, long waitedMillis) {
        LOG.info("membership change: {}: promoting it to a member (counting {}, heard from after it caught up,"
            + " {} ms)", what, live, waitedMillis);
        promote();
      }

      @Override
      public void refused(String why) {
        LOG.warn("refused to {} after it caught up: {}", what, why);
        rollback("refused to " + what + " after it caught up as a Raft listener: " + why);
      }

      @Override
      public void failed(RuntimeException e) {
        out.onError(leftAsListener(e));
      }
    });
  }

  private void promote() {
    ctx.raft().changeConfiguration(current, List.of(added), next, List.of()).whenComplete((reply, err) -> {
      if (err == null) {
        if (!ctx.raft().markCaughtUp(added.id())) {
          LOG.warn("{}: could not mark {} as caught up on this leader (no longer the leader?)", what, added.id());
        }
        LOG.info("membership change done: {}; members now {}", what, LivenessGate.ids(ctx.raft().members()));
        out.onNext(MembersResponse.newBuilder().addAllMembers(views.peers()).build());
        out.onCompleted();
        return;
      }
      Throwable t = Errors.unwrap(err);
      LOG.warn("membership change failed: {}: promoting the listener: {}", what, t.toString());
      out.onError(MemberChanges.failure(ctx, what, t));
    });
  }

  /** Removes the listener again; the members never changed. */
  private void rollback(String why) {
    LOG.warn("{}; removing the listener {} again", why, added.id());
    ctx.raft().changeConfiguration(current, List.of(added), current, List.of()).whenComplete((reply, err) -> {
      if (err == null) {
        out.onError(Errors.precondition(why + "; " + added.id() + " was removed again (it was only a Raft"
            + " listener): the members are unchanged"));
        return;
      }
      Throwable t = Errors.unwrap(err);
      LOG.warn("removing the listener {} failed: {}", added.id(), t.toString());
      out.onError(Errors.precondition(why + "; removing the listener " + added.id() + " failed too (" + t
          + "): the members are unchanged, and " + added.id() + " stays a listener until `tandemctl members"
          + " remove " + added.id() + "`"));
    });
  }

  private RuntimeException leftAsListener(RuntimeException e) {
    LOG.warn("membership change interrupted: {}: {}; {} stays a Raft listener", what, e.toString(), added.id());
    if (e instanceof NotLeader) {
      return ctx.errors().of(e); // the client retries on the new leader, which resumes
    }
    return Errors.precondition(what + " interrupted (" + e.getMessage() + "): " + added.id() + " stays a Raft"
        + " listener, the members are unchanged; retry the add, or `tandemctl members remove " + added.id() + "`");
  }

  private RaftNode leader() {
    RaftNode raft = ctx.raft();
    if (!raft.isLeaderReady()) {
      throw new NotLeader(raft.leaderId());
    }
    return raft;
  }
}

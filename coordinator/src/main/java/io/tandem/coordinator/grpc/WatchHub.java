package io.tandem.coordinator.grpc;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.tandem.coordinator.lease.LeaseKeeper;
import io.tandem.coordinator.lease.ReleaseRequest;
import io.tandem.coordinator.ratis.TandemStateMachine;
import io.tandem.coordinator.state.Applied;
import io.tandem.coordinator.state.ContextOps;
import io.tandem.proto.state.ContextChange;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.admin.TransitionEvent;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The open watch streams: agents' WatchGroup (committed assignments, release requests and
 * context changes of one group, leader only) and admins' Watch (transitions). Everything is sent from one thread, in
 * order, so the apply thread never blocks on a slow client and no stream sees updates reordered.
 */
public final class WatchHub implements TandemStateMachine.AppliedListener, AutoCloseable {
  /**
   * An agent's stream. {@code since}: the commit index of the state its first message showed
   * (read and written on the sender thread only); entries up to it are not sent again, so a
   * stream never sees a context change older than the version it was first shown.
   */
  private static final class Agent {
    final String group;
    final String instance; // "" when the watcher did not say
    final ServerCallStreamObserver<GroupUpdate> out;
    long since;

    Agent(String group, String instance, ServerCallStreamObserver<GroupUpdate> out) {
      this.group = group;
      this.instance = instance;
      this.out = out;
    }

    String group() {
      return group;
    }

    ServerCallStreamObserver<GroupUpdate> out() {
      return out;
    }
  }

  private record Admin(String group, ServerCallStreamObserver<TransitionEvent> out) {}

  private final TandemStateMachine stateMachine;
  private final LeaseKeeper keeper;
  private final java.util.function.LongSupplier nanos;
  private final Set<Agent> agents = ConcurrentHashMap.newKeySet();
  private final Set<Admin> admins = ConcurrentHashMap.newKeySet();
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tandem-watch");
        t.setDaemon(true);
        return t;
      });

  public WatchHub(TandemStateMachine stateMachine, LeaseKeeper keeper) {
    this(stateMachine, keeper, System::nanoTime);
  }

  /** {@code nanos}: the lease keeper's monotonic clock. */
  public WatchHub(TandemStateMachine stateMachine, LeaseKeeper keeper, java.util.function.LongSupplier nanos) {
    this.stateMachine = stateMachine;
    this.keeper = keeper;
    this.nanos = nanos;
  }

  /** Registers an agent's stream; its first message is the group's current assignment. */
  void watchGroup(String group, ServerCallStreamObserver<GroupUpdate> out) {
    watchGroup(group, "", out);
  }

  /** As above, for {@code instance}'s agent ("" unknown): it gets the lease of its own activation. */
  void watchGroup(String group, String instance, ServerCallStreamObserver<GroupUpdate> out) {
    Agent a = new Agent(group, instance, out);
    out.setOnCancelHandler(() -> agents.remove(a));
    run(() -> {
      agents.add(a);
      var state = stateMachine.state();
      a.since = state.getLastAppliedIndex();
      send(a, update(group, Optional.ofNullable(state.getGroupsMap().get(group)), a.since));
    });
  }

  /** Registers an admin's stream of transitions; {@code group} empty means every group. */
  void watchTransitions(String group, ServerCallStreamObserver<TransitionEvent> out) {
    Admin a = new Admin(group, out);
    out.setOnCancelHandler(() -> admins.remove(a));
    run(() -> admins.add(a));
  }

  @Override
  public void onApplied(Command command, Applied applied, long index) {
    String group = Assignments.groupOf(command);
    if (group.isEmpty()) {
      return;
    }
    Optional<Group> g = Optional.ofNullable(applied.state().getGroupsMap().get(group));
    var transitions = applied.transitions();
    Optional<ContextChange> context = contextChange(command, applied, index);
    run(() -> {
      if (context.isPresent()) {
        GroupUpdate u = update(group, g, index).toBuilder().setContextChange(context.get()).build();
        agents.stream().filter(a -> a.group().equals(group) && a.since < index).forEach(a -> send(a, u));
      } else if (!transitions.isEmpty() || g.isEmpty()) {
        GroupUpdate u = update(group, g, index);
        agents.stream().filter(a -> a.group().equals(group) && a.since < index)
            .forEach(a -> send(a, withActivationLease(a, u, command, g, index)));
      }
      for (Transition t : transitions) {
        TransitionEvent e = TransitionEvent.newBuilder().setGroup(group).setTransition(t).build();
        admins.stream()
            .filter(a -> a.group().isEmpty() || a.group().equals(group))
            .forEach(a -> send(a, e));
      }
    });
  }

  /**
   * A snapshot from the leader replaced this follower's state: the admins' streams get the
   * transitions it holds that this node had not applied (index above the old state's last applied
   * one), in log order, as if applied one by one; otherwise a Watch on a follower that fell far
   * behind skipped them. (A group deleted within that range leaves no transition to send.)
   */
  @Override
  public void onReplaced(TandemState before, TandemState after) {
    long from = before.getLastAppliedIndex();
    List<TransitionEvent> missed = new java.util.ArrayList<>();
    for (Group g : after.getGroupsMap().values()) {
      for (Transition t : g.getHistoryList()) {
        if (t.getIndex() > from) {
          missed.add(TransitionEvent.newBuilder().setGroup(g.getName()).setTransition(t).build());
        }
      }
    }
    missed.sort(java.util.Comparator.comparingLong((TransitionEvent e) -> e.getTransition().getIndex()));
    run(() -> {
      for (TransitionEvent e : missed) {
        admins.stream()
            .filter(a -> a.group().isEmpty() || a.group().equals(e.getGroup()))
            .forEach(a -> send(a, e));
      }
    });
  }

  /**
   * The change a ContextWrite entry committed, if it was applied (not refused whole, and not a
   * retried request id, whose first entry was pushed already).
   */
  static Optional<ContextChange> contextChange(Command command, Applied applied, long index) {
    if (command.getBodyCase() != Command.BodyCase.CONTEXT_WRITE
        || applied.result().getOutcome() != Outcome.OK
        || applied.result().getIndex() != index) {
      return Optional.empty();
    }
    return Optional.of(ContextChange.newBuilder()
        .setFromVersion(applied.result().getPreviousContextVersion())
        .setVersion(index)
        .addAllEffects(ContextOps.effects(command.getContextWrite(), applied.result().getContextResultsList()))
        .build());
  }

  /**
   * {@code u} with the lease of the activation it commits when it goes to the activated instance's
   * own stream and this leader decided that activation (docs/design.md, "The lease with the decision").
   */
  private GroupUpdate withActivationLease(Agent a, GroupUpdate u, Command command, Optional<Group> g, long index) {
    // only the entry that made the activation (token = its log index), not a refused one
    if (!command.hasActivate() || g.isEmpty() || g.get().getToken() != index || a.instance.isEmpty()
        || !a.instance.equals(g.get().getActive())) {
      return u;
    }
    return keeper.leaseWithActivation(a.group, a.instance, g.get().getToken(), nanos.getAsLong())
        .map(l -> u.toBuilder().setLeaseMillis(l.leaseMillis()).setLeaseHeartbeatSeq(l.heartbeatSeq()).build())
        .orElse(u);
  }

  /** A planned switchover asked the active of {@code group} to release: tell its agent now. */
  void releaseRequested(String group) {
    run(() -> {
      Optional<Group> g = Optional.ofNullable(stateMachine.state().getGroupsMap().get(group));
      GroupUpdate u = update(group, g, stateMachine.state().getLastAppliedIndex());
      agents.stream().filter(a -> a.group().equals(group)).forEach(a -> send(a, u));
    });
  }

  /** This server stopped leading: agents must redial the new leader. */
  public void closeAgentStreams(StatusRuntimeException why) {
    run(() -> {
      for (Agent a : agents) {
        agents.remove(a);
        try {
          a.out().onError(why);
        } catch (RuntimeException ignored) {
          // already closed by the client
        }
      }
    });
  }

  private GroupUpdate update(String group, Optional<Group> g, long index) {
    boolean release = false;
    if (g.isPresent()) {
      Optional<ReleaseRequest> r = keeper.release(group);
      release = r.isPresent()
          && r.get().from().equals(g.get().getActive())
          && r.get().token() == g.get().getToken();
    }
    return GroupUpdate.newBuilder()
        .setAssignment(Assignments.of(group, g, Assignments.activeEditorUrl(keeper, group, g)))
        .setReleaseRequested(release)
        .setCommitIndex(index)
        .build();
  }

  private void send(Agent a, GroupUpdate u) {
    try {
      a.out().onNext(u);
    } catch (RuntimeException e) {
      agents.remove(a); // cancelled or closed
    }
  }

  private void send(Admin a, TransitionEvent e) {
    try {
      a.out().onNext(e);
    } catch (RuntimeException ex) {
      admins.remove(a);
    }
  }

  private void run(Runnable r) {
    try {
      sender.execute(r);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  int agentStreams() {
    return agents.size();
  }

  @Override
  public void close() {
    sender.shutdown(); // sends what is queued (e.g. the redirect of agents), then stops
    try {
      if (!sender.awaitTermination(1, TimeUnit.SECONDS)) {
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      sender.shutdownNow();
      Thread.currentThread().interrupt();
    }
    for (Agent a : agents) {
      try {
        a.out().onCompleted();
      } catch (RuntimeException ignored) {
        // gone
      }
    }
    for (Admin a : admins) {
      try {
        a.out().onCompleted();
      } catch (RuntimeException ignored) {
        // gone
      }
    }
    agents.clear();
    admins.clear();
  }
}

package io.tandem.coordinator.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.coordinator.state.Applied;
import io.tandem.coordinator.state.Applier;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.TandemState;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin Ratis adapter over {@link Applier}: decode, apply, remember the applied index,
 * complete the future. Snapshots are delegated to {@link SnapshotStore}.
 *
 * <p>An entry that cannot be decoded is a bug or a corruption: apply throws, which stops this
 * server, rather than skipping the entry and letting replicas diverge.
 */
public final class TandemStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(TandemStateMachine.class);

  /** Told of every applied command, on the apply thread: must not block. */
  public interface AppliedListener {
    void onApplied(Command command, Applied applied, long index);

    /**
     * The state was replaced by a snapshot the leader sent (this follower was too far behind for
     * the log): the entries between {@code before} and {@code after} were never applied one by one
     * here, so {@link #onApplied} was not called for them.
     */
    default void onReplaced(TandemState before, TandemState after) {}
  }

  /** Told of leadership changes of this server. */
  public interface LeadershipListener {
    void onLeaderReady();

    /** This server does not lead (any more); {@code leader} is the new leader if known. */
    void onNotLeader(Optional<String> leader);
  }

  private final SnapshotStore snapshots = new SnapshotStore();
  private final List<AppliedListener> appliedListeners = new CopyOnWriteArrayList<>();
  private final List<LeadershipListener> leadershipListeners = new CopyOnWriteArrayList<>();
  private volatile TandemState state = TandemState.getDefaultInstance();

  public void addAppliedListener(AppliedListener listener) {
    appliedListeners.add(listener);
  }

  public void addLeadershipListener(LeadershipListener listener) {
    leadershipListeners.add(listener);
  }

  /** The state as applied on this server (may lag the leader on a follower). */
  public TandemState state() {
    return state;
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots.storage();
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    snapshots.init(raftStorage);
    getLifeCycle().startAndTransition(this::loadLatestSnapshot, IOException.class);
  }

  /**
   * Before a follower publishes a snapshot the leader sent it, Ratis pauses the state machine and
   * then reloads it ({@link #reinitialize}), checking that it is PAUSED. Without the transition
   * that check failed and closed the follower's Raft server: it stayed behind for good.
   */
  @Override
  public synchronized void pause() {
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  /** After a snapshot from the leader was installed: its state replaces this one. */
  @Override
  public void reinitialize() throws IOException {
    TandemState before;
    TandemState after;
    synchronized (this) {
      before = state;
      loadLatestSnapshot();
      after = state;
      if (getLifeCycleState() == LifeCycle.State.PAUSED) {
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
      }
    }
    if (after != before) {
      for (AppliedListener l : appliedListeners) {
        try {
          l.onReplaced(before, after);
        } catch (RuntimeException e) {
          LOG.error("listener failed on the state of a snapshot", e);
        }
      }
    }
  }

  private synchronized void loadLatestSnapshot() throws IOException {
    Optional<SnapshotStore.Loaded> loaded = snapshots.loadLatest();
    if (loaded.isPresent()) {
      state = loaded.get().state();
      updateLastAppliedTermIndex(loaded.get().termIndex());
      LOG.info(
          "restored snapshot {} ({} groups)", loaded.get().termIndex(), state.getGroupsCount());
    }
  }

  @Override
  public synchronized long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return -1;
    }
    snapshots.write(state, last);
    return last.getIndex();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    Command command;
    try {
      command = Command.parseFrom(entry.getStateMachineLogEntry().getLogData().toByteArray());
    } catch (InvalidProtocolBufferException e) {
      // Never skip: a replica that skips an entry diverges silently.
      throw new IllegalStateException("log entry " + index + " is not a Tandem command", e);
    }
    Applied applied;
    synchronized (this) {
      applied = Applier.apply(state, command, index);
      state = applied.state();
      updateLastAppliedTermIndex(entry.getTerm(), index);
    }
    for (AppliedListener l : appliedListeners) {
      try {
        l.onApplied(command, applied, index);
      } catch (RuntimeException e) {
        LOG.error("listener failed on entry {}", index, e);
      }
    }
    return CompletableFuture.completedFuture(
        Message.valueOf(ByteString.copyFrom(applied.result().toByteArray())));
  }

  /** Linearizable reads: the request is a group name, the reply that group (or empty bytes). */
  @Override
  public CompletableFuture<Message> query(Message request) {
    String name = request.getContent().toStringUtf8();
    Group g = state.getGroupsMap().get(name);
    return CompletableFuture.completedFuture(
        g == null ? Message.EMPTY : Message.valueOf(ByteString.copyFrom(g.toByteArray())));
  }

  @Override
  public void notifyLeaderReady() {
    leadershipListeners.forEach(LeadershipListener::onLeaderReady);
  }

  @Override
  public void notifyNotLeader(Collection<TransactionContext> pending) {
    leadershipListeners.forEach(l -> l.onNotLeader(Optional.empty()));
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId memberId, RaftPeerId newLeaderId) {
    if (!memberId.getPeerId().equals(newLeaderId)) {
      Optional<String> leader = Optional.ofNullable(newLeaderId).map(RaftPeerId::toString);
      leadershipListeners.forEach(l -> l.onNotLeader(leader));
    }
  }
}

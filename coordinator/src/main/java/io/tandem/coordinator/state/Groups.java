package io.tandem.coordinator.state;

import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.Transition;
import java.util.List;
import java.util.Optional;

/** Small read helpers over {@link Group}. */
public final class Groups {
  /** History entries kept per group; the oldest are dropped first. */
  public static final int HISTORY_LIMIT = 100;

  /** Lock keys an all-active group may have at most (free keys count: they keep their last token). */
  public static final int MAX_LOCK_KEYS = 1024;

  private Groups() {}

  /** The group's lock {@code key}, if it has an entry (free or held). */
  public static Optional<io.tandem.proto.state.Lock> lock(Group group, String key) {
    int at = LockCommands.find(group, key);
    return at >= 0 ? Optional.of(group.getLocks(at)) : Optional.empty();
  }

  /** The member with id {@code instance}, if any. */
  public static Optional<InstanceSpec> instance(Group group, String instance) {
    for (InstanceSpec i : group.getInstancesList()) {
      if (i.getId().equals(instance)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** The record of group {@code name}'s current flows revision, if it has one. */
  public static Optional<FlowsRevision> currentRevision(TandemState state, String name) {
    GroupData data = state.getGroupDataMap().get(name);
    if (data == null || data.getRevisionsCount() == 0) {
      return Optional.empty();
    }
    return Optional.of(data.getRevisions(data.getRevisionsCount() - 1));
  }

  public static boolean isMember(Group group, String instance) {
    return instance(group, instance).isPresent();
  }

  /** {@code group} with {@code t} appended to its history, keeping at most HISTORY_LIMIT. */
  static Group.Builder appendHistory(Group.Builder group, Transition t) {
    List<Transition> history = group.getHistoryList();
    int drop = Math.max(0, history.size() + 1 - HISTORY_LIMIT);
    if (drop > 0) {
      List<Transition> kept = List.copyOf(history.subList(drop, history.size()));
      group.clearHistory().addAllHistory(kept);
    }
    return group.addHistory(t);
  }
}

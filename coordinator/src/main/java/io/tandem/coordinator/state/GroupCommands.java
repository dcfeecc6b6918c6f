package io.tandem.coordinator.state;

import io.tandem.proto.state.AddInstance;
import io.tandem.proto.state.CreateGroup;
import io.tandem.proto.state.DeleteGroup;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.RemoveInstance;
import io.tandem.proto.state.SetMaintenance;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Commands that change a group's membership, existence or maintenance flag, never its token. */
final class GroupCommands {
  private GroupCommands() {}

  static Change create(TandemState state, CreateGroup c, long index, long atMillis) {
    String name = c.getGroup();
    Optional<String> bad = Names.groupProblem(name);
    if (bad.isPresent()) {
      return Change.refuse(index, Outcome.INVALID, name, null, bad.get());
    }
    Group existing = state.getGroupsMap().get(name);
    if (existing != null) {
      return Change.refuse(index, Outcome.ALREADY_EXISTS, name, existing, "group \"" + name + "\" already exists");
    }
    Set<String> seen = new HashSet<>();
    for (InstanceSpec i : c.getInstancesList()) {
      bad = Names.instanceProblem(i.getId());
      if (bad.isPresent()) {
        return Change.refuse(index, Outcome.INVALID, name, null, bad.get());
      }
      if (!seen.add(i.getId())) {
        return Change.refuse(index, Outcome.INVALID, name, null,
            "instance id \"" + i.getId() + "\" appears twice; ids must be unique in a group");
      }
    }
    String ids = c.getInstancesList().stream().map(InstanceSpec::getId).collect(Collectors.joining(", "));
    Transition t = Change.transition(index, TransitionKind.GROUP_CREATED, "", "", 0,
        ids.isEmpty() ? "created without instances" : "created with instances " + ids, atMillis);
    boolean allActive = c.getMode() == GroupMode.ALL_ACTIVE;
    if (c.getMode() == GroupMode.UNRECOGNIZED) {
      return Change.refuse(index, Outcome.INVALID, name, null, "the group mode is not one this coordinator knows");
    }
    Group.Builder b =
        Group.newBuilder()
            .setName(name)
            .addAllInstances(c.getInstancesList())
            .setCreatedIndex(index)
            .setMode(allActive ? GroupMode.ALL_ACTIVE : GroupMode.ACTIVE_STANDBY)
            .addHistory(allActive ? t.toBuilder().setToken(index).setReason(t.getReason() + " (all-active)").build() : t);
    if (allActive) {
      b.setToken(index); // fixed for the group's life: its members run under it, locks carry their own
    }
    Group g = b.build();
    return Change.ok(index, name, g, "group \"" + name + "\" created", List.of(t));
  }

  /**
   * Refused while the group has an active instance: a group re-created under the same name
   * could otherwise activate a standby while the deleted group's active still holds a lease.
   */
  static Change delete(TandemState state, DeleteGroup d, long index) {
    String name = d.getGroup();
    Optional<Change> missing = findRefusal(state, name, index);
    if (missing.isPresent()) {
      return missing.get();
    }
    Group g = state.getGroupsMap().get(name);
    if (!g.getActive().isEmpty()) {
      return Change.refuse(index, Outcome.FAILED_PRECONDITION, name, g,
          "group \"" + name + "\" still has the active instance \"" + g.getActive() + "\" (token "
              + g.getToken() + "); turn maintenance on and stop its agent, so that the group has no"
              + " active instance, then delete it");
    }
    return Change.ok(index, name, null, "group \"" + name + "\" deleted", List.of());
  }

  static Change addInstance(TandemState state, AddInstance a, long index, long atMillis) {
    String name = a.getGroup();
    Optional<Change> missing = findRefusal(state, name, index);
    if (missing.isPresent()) {
      return missing.get();
    }
    Group g = state.getGroupsMap().get(name);
    InstanceSpec spec = a.getInstance();
    Optional<String> bad = Names.instanceProblem(spec.getId());
    if (bad.isPresent()) {
      return Change.refuse(index, Outcome.INVALID, name, g, bad.get());
    }
    if (Groups.isMember(g, spec.getId())) {
      return Change.refuse(index, Outcome.ALREADY_EXISTS, name, g,
          "instance \"" + spec.getId() + "\" is already a member of group \"" + name + "\"");
    }
    Transition t = Change.transition(index, TransitionKind.INSTANCE_ADDED, "", spec.getId(), g.getToken(),
        "instance \"" + spec.getId() + "\" added (priority " + spec.getPriority()
            + (spec.getNoFailover() ? ", no failover" : "") + ")", atMillis);
    Group after = Groups.appendHistory(g.toBuilder().addInstances(spec), t).build();
    return Change.ok(index, name, after, "instance \"" + spec.getId() + "\" added", List.of(t));
  }

  static Change removeInstance(TandemState state, RemoveInstance r, long index, long atMillis) {
    String name = r.getGroup();
    Optional<Change> missing = findRefusal(state, name, index);
    if (missing.isPresent()) {
      return missing.get();
    }
    Group g = state.getGroupsMap().get(name);
    String id = r.getInstance();
    Optional<String> bad = Names.instanceProblem(id);
    if (bad.isPresent()) {
      return Change.refuse(index, Outcome.INVALID, name, g, bad.get());
    }
    if (!Groups.isMember(g, id)) {
      return Change.refuse(index, Outcome.NOT_FOUND, name, g,
          "instance \"" + id + "\" is not a member of group \"" + name + "\"");
    }
    if (g.getActive().equals(id)) {
      return Change.refuse(index, Outcome.FAILED_PRECONDITION, name, g,
          "instance \"" + id + "\" is the active instance of group \"" + name
              + "\"; switch over to another instance first");
    }
    Group.Builder b = g.toBuilder().clearInstances();
    g.getInstancesList().stream().filter(i -> !i.getId().equals(id)).forEach(b::addInstances);
    List<Transition> freed = LockCommands.freeLocksOf(b, id, index, atMillis);
    Transition t = Change.transition(index, TransitionKind.INSTANCE_REMOVED, id, "", g.getToken(),
        "instance \"" + id + "\" removed", atMillis);
    Group after = Groups.appendHistory(b, t).build();
    List<Transition> all = new java.util.ArrayList<>(freed);
    all.add(t);
    return Change.ok(index, name, after, "instance \"" + id + "\" removed", all);
  }

  /** Idempotent: setting the flag it already has is OK and changes nothing. */
  static Change setMaintenance(TandemState state, SetMaintenance m, long index, long atMillis) {
    String name = m.getGroup();
    Optional<Change> missing = findRefusal(state, name, index);
    if (missing.isPresent()) {
      return missing.get();
    }
    Group g = state.getGroupsMap().get(name);
    String onOff = m.getOn() ? "on" : "off";
    if (g.getMaintenance() == m.getOn()) {
      return Change.unchanged(index, g, "maintenance of group \"" + name + "\" was already " + onOff);
    }
    String reason = m.getReason().isEmpty() ? "maintenance " + onOff : m.getReason();
    Transition t = Change.transition(index,
        m.getOn() ? TransitionKind.MAINTENANCE_ON : TransitionKind.MAINTENANCE_OFF,
        g.getActive(), g.getActive(), g.getToken(), reason, atMillis);
    Group after = Groups.appendHistory(g.toBuilder().setMaintenance(m.getOn()), t).build();
    return Change.ok(index, name, after, "maintenance of group \"" + name + "\" is " + onOff, List.of(t));
  }

  /** INVALID for a malformed group name, NOT_FOUND for an unknown group, else empty. */
  static Optional<Change> findRefusal(TandemState state, String name, long index) {
    Optional<String> bad = Names.groupProblem(name);
    if (bad.isPresent()) {
      return Optional.of(Change.refuse(index, Outcome.INVALID, name, null, bad.get()));
    }
    if (!state.getGroupsMap().containsKey(name)) {
      return Optional.of(
          Change.refuse(index, Outcome.NOT_FOUND, name, null, "group \"" + name + "\" does not exist"));
    }
    return Optional.empty();
  }
}

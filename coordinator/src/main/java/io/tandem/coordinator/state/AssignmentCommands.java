package io.tandem.coordinator.state;

import io.tandem.proto.state.Activate;
import io.tandem.proto.state.Deactivate;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.util.List;
import java.util.Optional;

/**
 * Activate and Deactivate: the only commands that change a group's assignment. Both are
 * compare-and-set on the group's token, and both set the token to the log index of their entry,
 * so tokens strictly increase and a stale or duplicated proposal can never undo a newer decision.
 */
final class AssignmentCommands {
  private AssignmentCommands() {}

  static Change activate(TandemState state, Activate a, long index, long atMillis) {
    String name = a.getGroup();
    Optional<Change> refused = GroupCommands.findRefusal(state, name, index);
    if (refused.isPresent()) {
      return refused.get();
    }
    Group g = state.getGroupsMap().get(name);
    if (g.getMode() == GroupMode.ALL_ACTIVE) {
      return allActive(index, g, "activate");
    }
    Optional<String> bad = Names.instanceProblem(a.getInstance());
    if (bad.isPresent()) {
      return Change.refuse(index, Outcome.INVALID, name, g, bad.get());
    }
    if (!Groups.isMember(g, a.getInstance())) {
      return Change.refuse(index, Outcome.NOT_FOUND, name, g,
          "instance \"" + a.getInstance() + "\" is not a member of group \"" + name + "\"");
    }
    if (a.getExpectedToken() != g.getToken()) {
      return stale(index, g, a.getExpectedToken());
    }
    if (a.getExpectedRevision() != g.getCurrentRevision()) {
      // Invariant: every activation runs the revision that was current when it was committed.
      return Change.refuse(index, Outcome.STALE_TOKEN, name, g,
          "group \"" + name + "\" is at flows revision " + g.getCurrentRevision()
              + ", not at the expected revision " + a.getExpectedRevision()
              + " (a deploy was committed after the activation was decided)");
    }
    String from = g.getActive();
    String reason = a.getReason().isEmpty() ? "activated" : a.getReason();
    Transition t =
        Change.transition(index, TransitionKind.ACTIVATED, from, a.getInstance(), index, reason, atMillis);
    Group after =
        Groups.appendHistory(g.toBuilder().setActive(a.getInstance()).setToken(index), t).build();
    return Change.ok(index, name, after,
        "\"" + a.getInstance() + "\" is active under token " + index, List.of(t));
  }

  static Change deactivate(TandemState state, Deactivate d, long index, long atMillis) {
    String name = d.getGroup();
    Optional<Change> refused = GroupCommands.findRefusal(state, name, index);
    if (refused.isPresent()) {
      return refused.get();
    }
    Group g = state.getGroupsMap().get(name);
    if (g.getMode() == GroupMode.ALL_ACTIVE) {
      return allActive(index, g, "deactivate");
    }
    if (d.getExpectedToken() != g.getToken()) {
      return stale(index, g, d.getExpectedToken());
    }
    String reason = d.getReason().isEmpty() ? "deactivated" : d.getReason();
    Transition t =
        Change.transition(index, TransitionKind.DEACTIVATED, g.getActive(), "", index, reason, atMillis);
    Group after = Groups.appendHistory(g.toBuilder().setActive("").setToken(index), t).build();
    return Change.ok(index, name, after, "group \"" + name + "\" has no active instance (token " + index + ")",
        List.of(t));
  }

  private static Change allActive(long index, Group g, String what) {
    return Change.refuse(index, Outcome.FAILED_PRECONDITION, g.getName(), g,
        "cannot " + what + " in group \"" + g.getName() + "\": it is an all-active group (every ready instance"
            + " runs its flows; singleton work is guarded by locks), it has no active instance to switch");
  }

  private static Change stale(long index, Group g, long expected) {
    String holder = g.getActive().isEmpty() ? "no active instance" : "active \"" + g.getActive() + "\"";
    return Change.refuse(index, Outcome.STALE_TOKEN, g.getName(), g,
        "group \"" + g.getName() + "\" is at token " + g.getToken() + " (" + holder
            + "), not at the expected token " + expected);
  }
}

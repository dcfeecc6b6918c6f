package io.tandem.coordinator.state;

import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.util.List;

/**
 * What one command does to one group: the group after it ({@code null} when the group is
 * deleted), the history it appended and the result. A refusal leaves the group as it was.
 * {@code data} is the group's data after the command when it changed it ({@code null}: the data
 * is untouched; a deleted group loses its data with it).
 */
record Change(String groupName, Group after, boolean changed, CommandResult result, List<Transition> transitions,
    GroupData data) {

  Change(String groupName, Group after, boolean changed, CommandResult result, List<Transition> transitions) {
    this(groupName, after, changed, result, transitions, null);
  }

  /** This change with {@code data} as the group's data after it. */
  Change withData(GroupData data) {
    return new Change(groupName, after, changed, result, transitions, data);
  }

  /** This change with its result built further (e.g. a revision number added). */
  Change withResult(CommandResult result) {
    return new Change(groupName, after, changed, result, transitions, data);
  }

  /** A domain "no": nothing changes; the result still tells the group's current assignment. */
  static Change refuse(long index, Outcome outcome, String group, Group current, String message) {
    CommandResult.Builder r =
        CommandResult.newBuilder().setOutcome(outcome).setMessage(message).setGroup(group).setIndex(index);
    if (current != null) {
      r.setActive(current.getActive()).setToken(current.getToken());
    }
    return new Change(group, current, false, r.build(), List.of());
  }

  /** The command was applied: {@code after} replaces the group ({@code null} deletes it). */
  static Change ok(long index, String group, Group after, String message, List<Transition> transitions) {
    CommandResult.Builder r =
        CommandResult.newBuilder().setOutcome(Outcome.OK).setMessage(message).setGroup(group).setIndex(index);
    if (after != null) {
      r.setActive(after.getActive()).setToken(after.getToken());
    }
    return new Change(group, after, true, r.build(), transitions);
  }

  /** An OK that changes nothing (an idempotent request that was already satisfied). */
  static Change unchanged(long index, Group current, String message) {
    CommandResult r =
        CommandResult.newBuilder()
            .setOutcome(Outcome.OK)
            .setMessage(message)
            .setGroup(current.getName())
            .setActive(current.getActive())
            .setToken(current.getToken())
            .setIndex(index)
            .build();
    return new Change(current.getName(), current, false, r, List.of());
  }

  static Transition transition(
      long index, TransitionKind kind, String from, String to, long token, String reason, long atMillis) {
    return Transition.newBuilder()
        .setIndex(index)
        .setKind(kind)
        .setFromInstance(from)
        .setToInstance(to)
        .setToken(token)
        .setReason(reason)
        .setAtUnixMillis(atMillis)
        .build();
  }
}

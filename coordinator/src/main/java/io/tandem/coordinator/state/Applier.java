package io.tandem.coordinator.state;

import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import java.util.List;
import java.util.Optional;

/**
 * The replicated state transition: {@code apply(state, command, index) -> state', result,
 * transitions}. Pure and deterministic: no clock (time only as {@code stamped_unix_millis} in the
 * command), no randomness, no I/O. Every replica applying the same log gets the same state.
 *
 * <p>Refusals (unknown group, stale token, bad names, ...) are results and leave the state
 * unchanged apart from {@code last_applied_index} and the remembered request id. A command with
 * no body, or a body this version does not know (it parses as no body), is refused as INVALID
 * rather than thrown: every replica of the same version refuses it alike, and one malformed
 * proposal must not stop the whole cluster. An exception thrown from here is a bug.
 */
public final class Applier {
  private Applier() {}

  /**
   * Applies {@code command}, the log entry at {@code index}.
   *
   * @throws IllegalArgumentException if {@code index} is not above the state's last applied
   *     index (the log would be applied out of order, which would break token monotonicity)
   */
  public static Applied apply(TandemState state, Command command, long index) {
    if (index <= state.getLastAppliedIndex()) {
      throw new IllegalArgumentException("log index " + index
          + " applied out of order: the state is already at index " + state.getLastAppliedIndex());
    }
    Optional<CommandResult> remembered = RecentRequests.find(state, command.getRequestId());
    if (remembered.isPresent()) {
      return new Applied(state.toBuilder().setLastAppliedIndex(index).build(), remembered.get(), List.of());
    }
    Change change = change(state, command, index);
    TandemState.Builder next = state.toBuilder().setLastAppliedIndex(index);
    if (change.changed()) {
      if (change.after() == null) {
        next.removeGroups(change.groupName());
        next.removeGroupData(change.groupName());
      } else {
        next.putGroups(change.groupName(), change.after());
      }
    }
    if (change.data() != null) {
      next.putGroupData(change.groupName(), change.data());
    }
    RecentRequests.remember(next, command.getRequestId(), change.result());
    return new Applied(next.build(), change.result(), change.transitions());
  }

  private static Change change(TandemState s, Command c, long index) {
    long at = c.getStampedUnixMillis();
    return switch (c.getBodyCase()) {
      case CREATE_GROUP -> GroupCommands.create(s, c.getCreateGroup(), index, at);
      case DELETE_GROUP -> GroupCommands.delete(s, c.getDeleteGroup(), index);
      case ADD_INSTANCE -> GroupCommands.addInstance(s, c.getAddInstance(), index, at);
      case REMOVE_INSTANCE -> GroupCommands.removeInstance(s, c.getRemoveInstance(), index, at);
      case SET_MAINTENANCE -> GroupCommands.setMaintenance(s, c.getSetMaintenance(), index, at);
      case ACTIVATE -> AssignmentCommands.activate(s, c.getActivate(), index, at);
      case DEACTIVATE -> AssignmentCommands.deactivate(s, c.getDeactivate(), index, at);
      case SET_FLOWS -> FlowsCommands.setFlows(s, c.getSetFlows(), index, at);
      case PUT_EDITOR_DATA -> EditorDataCommands.put(s, c.getPutEditorData(), index);
      case CONTEXT_WRITE -> ContextCommands.write(s, c.getContextWrite(), index);
      case ACQUIRE_LOCK -> LockCommands.acquire(s, c.getAcquireLock(), index, at);
      case RELEASE_LOCK -> LockCommands.release(s, c.getReleaseLock(), index, at);
      case BODY_NOT_SET -> Change.refuse(index, Outcome.INVALID, "", null,
          "the command has no body this coordinator knows (empty, or written by a newer version)");
    };
  }
}

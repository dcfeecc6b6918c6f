package io.tandem.coordinator.grpc;

import io.tandem.proto.agent.Assignment;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupMode;
import java.util.Optional;

/** Small conversions between the replicated state and the agent protocol. */
public final class Assignments {
  private Assignments() {}

  public static Assignment of(String group, Optional<Group> g) {
    return of(group, g, "");
  }

  /**
   * The assignment with mode and locks; {@code activeEditorUrl}: the active's editor URL as the
   * leader last heard it ("" unknown or all-active).
   */
  public static Assignment of(String group, Optional<Group> g, String activeEditorUrl) {
    Assignment.Builder b = Assignment.newBuilder().setGroup(group).setExists(g.isPresent());
    g.ifPresent(x -> b.setActive(x.getActive()).setToken(x.getToken()).setMaintenance(x.getMaintenance())
        .setFlowsRevision(x.getCurrentRevision()).setContextVersion(x.getContextVersion())
        .setMode(x.getMode() == GroupMode.ALL_ACTIVE ? GroupMode.ALL_ACTIVE : GroupMode.ACTIVE_STANDBY)
        .addAllLocks(x.getLocksList())
        .setActiveEditorUrl(x.getActive().isEmpty() ? "" : activeEditorUrl));
    return b.build();
  }

  /** The active's editor URL as {@code keeper} last heard it ("" none). */
  public static String activeEditorUrl(io.tandem.coordinator.lease.LeaseKeeper keeper, String group,
      Optional<Group> g) {
    return g.isEmpty() || g.get().getActive().isEmpty() ? "" : keeper.editorUrl(group, g.get().getActive());
  }

  /** The group a command is about. */
  public static String groupOf(Command c) {
    return switch (c.getBodyCase()) {
      case CREATE_GROUP -> c.getCreateGroup().getGroup();
      case DELETE_GROUP -> c.getDeleteGroup().getGroup();
      case ADD_INSTANCE -> c.getAddInstance().getGroup();
      case REMOVE_INSTANCE -> c.getRemoveInstance().getGroup();
      case ACTIVATE -> c.getActivate().getGroup();
      case DEACTIVATE -> c.getDeactivate().getGroup();
      case SET_MAINTENANCE -> c.getSetMaintenance().getGroup();
      case SET_FLOWS -> c.getSetFlows().getGroup();
      case PUT_EDITOR_DATA -> c.getPutEditorData().getGroup();
      case CONTEXT_WRITE -> c.getContextWrite().getGroup();
      case ACQUIRE_LOCK -> c.getAcquireLock().getGroup();
      case RELEASE_LOCK -> c.getReleaseLock().getGroup();
      case BODY_NOT_SET -> "";
    };
  }
}

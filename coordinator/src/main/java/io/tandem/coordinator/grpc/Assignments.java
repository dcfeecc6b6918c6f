package io.tandem.coordinator.grpc;

import io.tandem.proto.agent.Assignment;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.Group;
import java.util.Optional;

/** Small conversions between the replicated state and the agent protocol. */
public final class Assignments {
  private Assignments() {}

  public static Assignment of(String group, Optional<Group> g) {
    Assignment.Builder b = Assignment.newBuilder().setGroup(group).setExists(g.isPresent());
    g.ifPresent(x -> b.setActive(x.getActive()).setToken(x.getToken()).setMaintenance(x.getMaintenance())
        .setFlowsRevision(x.getCurrentRevision()).setContextVersion(x.getContextVersion()));
    return b.build();
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

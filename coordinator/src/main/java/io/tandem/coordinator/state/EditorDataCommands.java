package io.tandem.coordinator.state;

import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.EditorDataKind;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.PutEditorData;
import io.tandem.proto.state.TandemState;
import java.util.List;
import java.util.Optional;

/**
 * PutEditorData: the Node-RED editor's settings, library entries and sessions of a group.
 * Settings and library entries are fenced by the token as a deploy is (only the active writes
 * them); sessions are not, so a user who logs in to a standby's editor to look is still logged
 * in after a failover. No history entry: these are not decisions.
 */
final class EditorDataCommands {
  private EditorDataCommands() {}

  static Change put(TandemState state, PutEditorData p, long index) {
    String name = p.getGroup();
    Optional<Change> refused = GroupCommands.findRefusal(state, name, index);
    if (refused.isPresent()) {
      return refused.get();
    }
    Group g = state.getGroupsMap().get(name);
    EditorDataKind kind = p.getKind();
    if (kind != EditorDataKind.SETTINGS && kind != EditorDataKind.LIBRARY && kind != EditorDataKind.SESSIONS) {
      return Change.refuse(index, Outcome.INVALID, name, g,
          "editor data kind must be SETTINGS, LIBRARY or SESSIONS (got " + kind + ")");
    }
    if (kind == EditorDataKind.LIBRARY && p.getKey().isEmpty()) {
      return Change.refuse(index, Outcome.INVALID, name, g, "a library entry needs a key (\"TYPE\\u0000PATH\")");
    }
    if (kind != EditorDataKind.LIBRARY && !p.getKey().isEmpty()) {
      return Change.refuse(index, Outcome.INVALID, name, g, "only library entries have a key");
    }
    String what = kind.name().toLowerCase();
    if (kind != EditorDataKind.SESSIONS) {
      Optional<Change> fenced = FlowsCommands.fenceRefusal(g, p.getInstance(), p.getToken(), index, "saving " + what);
      if (fenced.isPresent()) {
        return fenced.get();
      }
    }
    GroupData data = state.getGroupDataMap().getOrDefault(name, GroupData.getDefaultInstance());
    GroupData.Builder after = data.toBuilder();
    switch (kind) {
      case SETTINGS -> after.setSettings(p.getValue());
      case SESSIONS -> after.setSessions(p.getValue());
      default -> after.putLibrary(p.getKey(), p.getValue());
    }
    CommandResult r = CommandResult.newBuilder()
        .setOutcome(Outcome.OK)
        .setMessage(what + " of group \"" + name + "\" saved")
        .setGroup(name)
        .setActive(g.getActive())
        .setToken(g.getToken())
        .setIndex(index)
        .build();
    return new Change(name, g, false, r, List.of(), after.build());
  }
}

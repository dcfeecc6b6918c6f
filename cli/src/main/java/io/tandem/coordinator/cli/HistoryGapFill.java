package io.tandem.coordinator.cli;

import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.HistoryRequest;
import io.tandem.proto.admin.ListGroupsRequest;
import io.tandem.proto.admin.TransitionEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * After a watch reconnects, prints from the groups' history what was committed while the stream
 * was down (transitions above the last printed index), in log order.
 */
final class HistoryGapFill {
  private final AdminClient client;
  private final String group;
  private final WatchOutput output;

  HistoryGapFill(AdminClient client, String group, WatchOutput output) {
    this.client = client;
    this.group = group;
    this.output = output;
  }

  /** Prints what was missed; returns true if the watch's --count was reached. */
  boolean fill() {
    List<String> groups = new ArrayList<>();
    if (group.isEmpty()) {
      client.call(stub -> stub.listGroups(ListGroupsRequest.getDefaultInstance()))
          .getGroupsList().stream().map(GroupView::getName).forEach(groups::add);
    } else {
      groups.add(group);
    }
    List<TransitionEvent> missed = new ArrayList<>();
    for (String name : groups) {
      try {
        client.call(stub -> stub.history(HistoryRequest.newBuilder().setGroup(name).build()))
            .getTransitionsList().stream()
            .filter(t -> t.getIndex() > output.lastIndex())
            .forEach(t -> missed.add(TransitionEvent.newBuilder().setGroup(name).setTransition(t).build()));
      } catch (CtlException e) {
        if (e.exitCode() != CtlException.REFUSED || !group.isEmpty()) {
          throw e; // a deleted group ends a watch of that group; when watching all, skip it
        }
      }
    }
    missed.sort(Comparator.comparingLong(e -> e.getTransition().getIndex()));
    for (TransitionEvent e : missed) {
      if (output.emit(e)) {
        return true;
      }
    }
    return false;
  }
}

package io.tandem.coordinator.cli;

import io.tandem.proto.admin.TransitionEvent;
import io.tandem.proto.state.Transition;
import java.io.PrintWriter;

/**
 * Prints watched transitions once each: a transition is identified by its log index, which only
 * grows, so anything at or below the last printed index (seen again after a reconnect) is skipped.
 */
final class WatchOutput {
  private final PrintWriter out;
  private final boolean json;
  private final long limit;
  private long lastIndex = -1;
  private long printed;

  WatchOutput(PrintWriter out, boolean json, long limit) {
    this.out = out;
    this.json = json;
    this.limit = limit;
  }

  void skipUpTo(long index) {
    lastIndex = Math.max(lastIndex, index);
  }

  long lastIndex() {
    return lastIndex;
  }

  /** Prints the event unless already printed; returns true once the limit is reached. */
  boolean emit(TransitionEvent event) {
    Transition t = event.getTransition();
    if (t.getIndex() <= lastIndex) {
      return false;
    }
    lastIndex = t.getIndex();
    if (json) {
      Json.printLine(out, Json.transition(event.getGroup(), t));
    } else {
      out.printf(
          "%s  %s  %s  %s  token %d  index %d%s%n",
          Text.time(t.getAtUnixMillis()),
          event.getGroup(),
          Text.kind(t.getKind()),
          Text.change(t),
          t.getToken(),
          t.getIndex(),
          t.getReason().isEmpty() ? "" : "  (" + t.getReason() + ")");
      out.flush();
    }
    printed++;
    return limit > 0 && printed >= limit;
  }
}

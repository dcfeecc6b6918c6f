package io.tandem.coordinator.cli;

import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Small formatting helpers for the human (non-JSON) output. */
final class Text {
  private Text() {}

  static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** 850ms, 1.8s, 2m05s; "-" for a negative (unknown) value. */
  static String millis(long ms) {
    if (ms < 0) {
      return "-";
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format("%.1fs", ms / 1000.0);
    }
    return String.format("%dm%02ds", ms / 60_000, (ms / 1000) % 60);
  }

  /** A group view's mode ("" from an older coordinator reads as active-standby). */
  static String mode(String mode) {
    return mode == null || mode.isEmpty() ? "active-standby" : mode;
  }

  /** "2/5" held of known lock keys for an all-active group, "-" otherwise. */
  static String locks(io.tandem.proto.admin.GroupView g) {
    if (!"all-active".equals(g.getMode())) {
      return "-";
    }
    long held = g.getLocksList().stream().filter(l -> !l.getHolder().isEmpty()).count();
    return held + "/" + g.getLocksCount();
  }

  static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }

  /** UTC timestamp to the millisecond, e.g. 2026-11-24T22:06:40.123Z; "-" if unset. */
  static String time(long unixMillis) {
    if (unixMillis <= 0) {
      return "-";
    }
    return Instant.ofEpochMilli(unixMillis).truncatedTo(ChronoUnit.MILLIS).toString();
  }

  static String kind(TransitionKind kind) {
    return kind == TransitionKind.UNRECOGNIZED ? "UNKNOWN" : kind.name();
  }

  /** "nr-a -> nr-b" for an activation, the instance alone for add/remove, "-" otherwise. */
  static String change(Transition t) {
    String from = t.getFromInstance();
    String to = t.getToInstance();
    if (t.getKind() == TransitionKind.LOCK_ACQUIRED || t.getKind() == TransitionKind.LOCK_RELEASED) {
      return "lock " + t.getLock() + ": " + orDash(from) + " -> " + orDash(to);
    }
    if (from.isEmpty() && to.isEmpty()) {
      return "-";
    }
    if (t.getKind() == TransitionKind.ACTIVATED || t.getKind() == TransitionKind.DEACTIVATED) {
      return orDash(from) + " -> " + orDash(to);
    }
    return to.isEmpty() ? from : to;
  }
}

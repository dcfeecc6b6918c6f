package io.tandem.agent.control;

/**
 * The coordinators' reason for granting no lease (HeartbeatResponse.refusal: unknown group, not a
 * member, fenced, expired; empty for a plain standby), turned into one log line per change instead
 * of silence or a line per heartbeat. Owned by the control thread.
 */
final class RefusalLog {
  private String current = "";

  /** The current reason, "" if none. */
  String current() {
    return current;
  }

  /** Records the refusal of one reply; returns the line to log if it changed, else null. */
  String onReply(String refusal) {
    String r = refusal == null ? "" : refusal;
    if (r.equals(current)) {
      return null;
    }
    String was = current;
    current = r;
    return r.isEmpty() ? "the coordinators no longer refuse this instance's heartbeats (was: " + was + ")"
        : "heartbeats refused by the coordinators: " + r;
  }
}

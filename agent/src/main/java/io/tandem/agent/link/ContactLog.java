package io.tandem.agent.link;

import java.time.Duration;

/**
 * What the heartbeat loop says about reaching the coordinators: one line per change, never one per
 * heartbeat, and the start is not a failure. Until the first answer, the first call gets a longer
 * deadline (it also pays for the process's first connection: channel, event loops, class loading),
 * an unanswered call is logged at INFO once, and a WARN comes only if no coordinator answered
 * within {@link #STARTUP_GRACE}. After that, losing and regaining the coordinators is logged once
 * each. Pure: the caller passes the clock reading.
 */
final class ContactLog {
  /** No answer this long after the start is a failure worth a warning. */
  static final Duration STARTUP_GRACE = Duration.ofSeconds(10);
  /** The deadline of heartbeats until the first answer, when rpcTimeout is shorter. */
  static final Duration FIRST_CONTACT_TIMEOUT = Duration.ofSeconds(2);

  enum Level { INFO, WARN }

  record Line(Level level, String text) {}

  private final long startNanos;
  private boolean answered;
  private boolean reachable = true;
  private boolean notedStartup;
  private boolean warnedStartup;

  ContactLog(long startNanos) {
    this.startNanos = startNanos;
  }

  /** The deadline for the next call. Safe at any length: a lease counts from the send time. */
  Duration deadline(Duration rpcTimeout) {
    return answered || rpcTimeout.compareTo(FIRST_CONTACT_TIMEOUT) >= 0 ? rpcTimeout : FIRST_CONTACT_TIMEOUT;
  }

  /** A coordinator answered a heartbeat; the line to log, or null. */
  Line onAnswer(String address, long nowNanos) {
    if (!answered) {
      answered = true;
      reachable = true;
      return new Line(Level.INFO, "connected to coordinator " + address + " ("
          + (nowNanos - startNanos) / 1_000_000 + " ms after the start)");
    }
    if (!reachable) {
      reachable = true;
      return new Line(Level.INFO, "coordinator " + address + " answers heartbeats again");
    }
    return null;
  }

  /** No coordinator answered this round (the last one tried: address, status); the line to log, or null. */
  Line onFailure(String address, String status, long nowNanos) {
    if (!answered) {
      if (nowNanos - startNanos < STARTUP_GRACE.toNanos()) {
        if (notedStartup) {
          return null;
        }
        notedStartup = true;
        return new Line(Level.INFO, "no coordinator has answered yet (" + address + ": " + status
            + "); still trying");
      }
      if (warnedStartup) {
        return null;
      }
      warnedStartup = true;
      reachable = false;
      return new Line(Level.WARN, "no coordinator has answered a heartbeat in "
          + STARTUP_GRACE.toSeconds() + " s since the start (last: " + address + ": " + status
          + "); check that the coordinators run and that coordinators: in the agent's configuration "
          + "lists their gRPC addresses");
    }
    if (reachable) {
      reachable = false;
      return new Line(Level.WARN, "heartbeat failed: " + address + " (" + status
          + "); trying the other coordinators");
    }
    return null;
  }
}

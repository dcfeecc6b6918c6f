package io.tandem.it.fault;

import java.time.Duration;

/**
 * One planned fault: when (offset from the start of the run), what, at whom, for how long.
 *
 * @param index    position in the schedule, from 1
 * @param at       offset from the start of the run
 * @param kind     what to inject
 * @param target   an instance id for agent and Node-RED faults, a coordinator id for
 *                 {@link FaultKind#RESTART_COORDINATOR}, "leader" / "follower" (resolved when
 *                 injected), or "" for cluster-wide faults
 * @param duration how long until the heal (zero for instant faults)
 * @param delay    added latency for the delay faults, else zero
 * @param allowed  for one-way faults: the direction that still flows, seen from the agent
 *                 ({@code CLIENT_TO_SERVER}: requests arrive, replies are lost); else null
 */
public record Fault(int index, Duration at, FaultKind kind, String target, Duration duration,
    Duration delay, Direction allowed) {

  public Duration end() {
    return at.plus(duration);
  }

  /** One line for logs and reports, e.g. {@code #3 +12.4s AGENT_PARTITION a for 4.2s}. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    s.append('#').append(index).append(" +").append(seconds(at)).append(' ').append(kind);
    if (!target.isEmpty()) {
      s.append(' ').append(target);
    }
    if (!delay.isZero()) {
      s.append(" delay ").append(delay.toMillis()).append("ms");
    }
    if (allowed != null) {
      s.append(allowed == Direction.CLIENT_TO_SERVER ? " (requests pass, replies lost)"
          : " (requests lost, replies pass)");
    }
    if (!duration.isZero()) {
      s.append(" for ").append(seconds(duration));
    }
    return s.toString();
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
  }
}

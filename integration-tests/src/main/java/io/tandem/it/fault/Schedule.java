package io.tandem.it.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A plan of faults drawn by {@link Nemesis#plan}: the same seed and config always give the same
 * schedule, so a failing run is replayed with its seed.
 *
 * @param seed              the seed it was drawn from
 * @param budget            its total length
 * @param faults            one after another, each healed before the next starts
 * @param coordinatorClocks clock rate per coordinator id (1.0 = real time)
 * @param agentClocks       clock rate per instance id, for its agent and its Node-RED
 */
public record Schedule(long seed, Duration budget, List<Fault> faults,
    Map<String, Double> coordinatorClocks, Map<String, Double> agentClocks) {

  public Schedule {
    faults = List.copyOf(faults);
    coordinatorClocks = Map.copyOf(coordinatorClocks);
    agentClocks = Map.copyOf(agentClocks);
  }

  public Map<FaultKind, Integer> countByKind() {
    Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
    faults.forEach(f -> counts.merge(f.kind(), 1, Integer::sum));
    return counts;
  }

  /** Offsets [from, to) with no fault active: before the first, between faults, after the last. */
  public List<Duration[]> quietWindows() {
    List<Duration[]> out = new ArrayList<>();
    Duration from = Duration.ZERO;
    for (Fault f : faults) {
      if (f.at().compareTo(from) > 0) {
        out.add(new Duration[] {from, f.at()});
      }
      from = f.end();
    }
    if (budget.compareTo(from) > 0) {
      out.add(new Duration[] {from, budget});
    }
    return out;
  }

  /** Human-readable plan, one line per fault, headed by the seed (printed so runs can be replayed). */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add("nemesis seed=" + seed + " faults=" + faults.size() + " budget=" + budget.toSeconds() + "s");
    if (!coordinatorClocks.isEmpty() || !agentClocks.isEmpty()) {
      lines.add("clocks: coordinators " + new java.util.TreeMap<>(coordinatorClocks)
          + " agents " + new java.util.TreeMap<>(agentClocks));
    }
    faults.forEach(f -> lines.add(f.describe()));
    return lines;
  }
}

package io.tandem.it.fault;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a {@link Nemesis} may do and for how long.
 *
 * @param budget       total length of the schedule: no fault is planned to end after it
 * @param minQuiet     shortest fault-free time after each heal (also before the first fault)
 * @param maxQuiet     longest fault-free time after each heal
 * @param instances    the instance ids of the group (targets of agent and Node-RED faults)
 * @param coordinators the coordinator ids
 * @param kinds        the faults to draw from (uniformly)
 * @param clockDrift   each process's clock runs at a rate drawn from [1-d, 1+d] (0: no clock
 *                     faults); keep 2d below the agents' driftBound (default 0.01)
 */
public record NemesisConfig(Duration budget, Duration minQuiet, Duration maxQuiet,
    List<String> instances, List<String> coordinators, Set<FaultKind> kinds, double clockDrift) {

  /** Half the default driftBound, so that any two processes differ by less than 1%. */
  public static final double DEFAULT_CLOCK_DRIFT = 0.0045;

  public NemesisConfig {
    instances = List.copyOf(instances);
    coordinators = List.copyOf(coordinators);
    kinds = kinds.isEmpty() ? EnumSet.noneOf(FaultKind.class) : EnumSet.copyOf(kinds);
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("budget must be positive");
    }
    if (minQuiet.isNegative() || maxQuiet.compareTo(minQuiet) < 0) {
      throw new IllegalArgumentException("need 0 <= minQuiet <= maxQuiet");
    }
    if (instances.isEmpty() || coordinators.isEmpty()) {
      throw new IllegalArgumentException("need at least one instance and one coordinator");
    }
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("no fault kinds to draw from");
    }
    if (!(clockDrift >= 0 && clockDrift < 0.1)) {
      throw new IllegalArgumentException("clockDrift must be in [0, 0.1)");
    }
  }

  /** Every kind, quiet 2-6 s between faults, clock drift within the bound. */
  public static NemesisConfig defaults(Duration budget, List<String> instances, List<String> coordinators) {
    return new NemesisConfig(budget, Duration.ofSeconds(2), Duration.ofSeconds(6), instances, coordinators,
        EnumSet.allOf(FaultKind.class), DEFAULT_CLOCK_DRIFT);
  }

  public NemesisConfig withKinds(Set<FaultKind> k) {
    return new NemesisConfig(budget, minQuiet, maxQuiet, instances, coordinators, k, clockDrift);
  }

  public NemesisConfig withClockDrift(double d) {
    return new NemesisConfig(budget, minQuiet, maxQuiet, instances, coordinators, kinds, d);
  }

  public NemesisConfig withQuiet(Duration min, Duration max) {
    return new NemesisConfig(budget, min, max, instances, coordinators, kinds, clockDrift);
  }
}

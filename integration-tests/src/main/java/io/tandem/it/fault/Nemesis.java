package io.tandem.it.fault;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Draws a {@link Schedule} of faults from a seed ({@link java.util.Random}, so the plan is the same
 * on every JVM). Faults come one at a time, each followed by a quiet time, within the budget; the
 * run-time choices (who leads when the fault starts) are left to the injector.
 */
public final class Nemesis {
  static final long MIN_DELAY_MS = 20;
  static final long MAX_DELAY_MS = 400;

  private Nemesis() {}

  /** A seed for a new run (print it: it is the key to replay the run). */
  public static long newSeed() {
    return new Random().nextLong() & 0xFFFF_FFFFL; // short enough to type
  }

  public static Schedule plan(long seed, NemesisConfig config) {
    Random r = new Random(seed);
    Map<String, Double> coordinatorClocks = clocks(r, config.coordinators(), config.clockDrift());
    Map<String, Double> agentClocks = clocks(r, config.instances(), config.clockDrift());
    List<FaultKind> kinds = new ArrayList<>(config.kinds()); // EnumSet order: stable
    long budget = config.budget().toMillis();
    long t = between(r, config.minQuiet().toMillis(), config.maxQuiet().toMillis());
    List<Fault> faults = new ArrayList<>();
    while (true) {
      FaultKind kind = kinds.get(r.nextInt(kinds.size()));
      long duration = between(r, kind.minMillis(), kind.maxMillis());
      String target = target(r, kind, config);
      long delay = kind == FaultKind.AGENT_DELAY || kind == FaultKind.PEER_DELAY
          ? between(r, MIN_DELAY_MS, MAX_DELAY_MS) : 0;
      Direction allowed = kind == FaultKind.AGENT_ONE_WAY
          ? (r.nextBoolean() ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT) : null;
      long quiet = between(r, config.minQuiet().toMillis(), config.maxQuiet().toMillis());
      if (t + duration > budget) {
        break;
      }
      faults.add(new Fault(faults.size() + 1, Duration.ofMillis(t), kind, target,
          Duration.ofMillis(duration), Duration.ofMillis(delay), allowed));
      t += duration + quiet;
    }
    return new Schedule(seed, config.budget(), faults, coordinatorClocks, agentClocks);
  }

  private static String target(Random r, FaultKind kind, NemesisConfig config) {
    return switch (kind.target()) {
      case INSTANCE -> config.instances().get(r.nextInt(config.instances().size()));
      case ANY_COORDINATOR -> config.coordinators().get(r.nextInt(config.coordinators().size()));
      case LEADER -> "leader";
      case FOLLOWER -> "follower";
      case NONE -> "";
    };
  }

  private static Map<String, Double> clocks(Random r, List<String> ids, double drift) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (drift == 0) {
      return out;
    }
    for (String id : ids) {
      double rate = 1 + (2 * r.nextDouble() - 1) * drift;
      out.put(id, BigDecimal.valueOf(rate).setScale(4, RoundingMode.HALF_EVEN).doubleValue());
    }
    return out;
  }

  /** Uniform in [min, max]. */
  private static long between(Random r, long min, long max) {
    return max <= min ? min : min + (long) (r.nextDouble() * (max - min + 1));
  }
}

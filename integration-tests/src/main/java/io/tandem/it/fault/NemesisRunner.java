package io.tandem.it.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays a {@link Schedule} against a {@link FaultInjector}: waits for each fault's start, injects
 * it, heals it after its duration. A fault is always healed, also when the run is interrupted.
 * Times are on the {@link Clock} given (System.nanoTime in real runs, the witness's clock too).
 */
public final class NemesisRunner {
  private static final Logger log = LoggerFactory.getLogger(NemesisRunner.class);

  /** Time source and sleeper; replaced in unit tests. */
  public interface Clock {
    long nanoTime();

    void sleepUntil(long nanoTime) throws InterruptedException;
  }

  public static final Clock SYSTEM = new Clock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleepUntil(long deadline) throws InterruptedException {
      long left;
      while ((left = deadline - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.sleep(left);
      }
    }
  };

  /**
   * What happened to one planned fault.
   *
   * @param target     whom it hit, as the injector resolved it (e.g. "leader c2")
   * @param injectedAt clock time of the injection
   * @param healedAt   clock time of the heal (equal to injectedAt for instant faults)
   * @param error      why it could not be injected or healed, or null
   */
  public record Outcome(Fault fault, String target, long injectedAt, long healedAt, String error) {
    public boolean injected() {
      return target != null;
    }
  }

  private final FaultInjector injector;
  private final Clock clock;

  public NemesisRunner(FaultInjector injector, Clock clock) {
    this.injector = injector;
    this.clock = clock;
  }

  /** Runs the whole schedule from now; returns one outcome per fault, in order. */
  public List<Outcome> run(Schedule schedule) throws InterruptedException {
    List<String> plan = schedule.describe();
    log.info(plan.get(0));
    plan.subList(1, plan.size()).forEach(log::debug);
    long start = clock.nanoTime();
    List<Outcome> outcomes = new ArrayList<>();
    for (Fault f : schedule.faults()) {
      clock.sleepUntil(start + f.at().toNanos());
      outcomes.add(play(f));
    }
    clock.sleepUntil(start + schedule.budget().toNanos());
    return outcomes;
  }

  private Outcome play(Fault f) throws InterruptedException {
    long injectedAt = clock.nanoTime();
    FaultInjector.Heal heal;
    try {
      heal = injector.inject(f);
    } catch (Exception e) {
      log.warn("fault {} not injected: {}", f.describe(), e.toString());
      return new Outcome(f, null, injectedAt, injectedAt, "inject: " + e);
    }
    log.info("fault #{} {} injected on {}", f.index(), f.kind(), heal.target());
    String error = null;
    try {
      clock.sleepUntil(injectedAt + f.duration().toNanos());
    } finally {
      try {
        heal.heal();
      } catch (Exception e) {
        log.error("fault {} on {}: heal failed: {}", f.describe(), heal.target(), e.toString());
        error = "heal: " + e;
      }
    }
    long healedAt = clock.nanoTime();
    if (!f.duration().isZero()) {
      log.info("fault #{} {} on {} healed after {} ms", f.index(), f.kind(), heal.target(),
          (healedAt - injectedAt) / 1_000_000);
    }
    return new Outcome(f, heal.target(), injectedAt, healedAt, error);
  }
}

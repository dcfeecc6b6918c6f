package io.tandem.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NemesisRunnerTest {
  /** A clock that jumps to whatever time is slept until. */
  private static final class FakeClock implements NemesisRunner.Clock {
    long now = 1_000;
    boolean interruptOnNextSleep;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepUntil(long t) throws InterruptedException {
      if (interruptOnNextSleep) {
        throw new InterruptedException("test");
      }
      now = Math.max(now, t);
    }
  }

  private final FakeClock clock = new FakeClock();
  private final List<String> events = new ArrayList<>();

  private FaultInjector recording(Set<Integer> failing) {
    return fault -> {
      if (failing.contains(fault.index())) {
        throw new IllegalStateException("no leader");
      }
      long at = clock.now;
      events.add("inject " + fault.index() + " @" + at);
      return new FaultInjector.Heal() {
        @Override
        public String target() {
          return "t" + fault.index();
        }

        @Override
        public void heal() {
          events.add("heal " + fault.index() + " @" + clock.now);
        }
      };
    };
  }

  private static Schedule schedule() {
    return Nemesis.plan(9, NemesisConfig.defaults(Duration.ofSeconds(120), List.of("a", "b"), List.of("c1", "c2", "c3")));
  }

  @Test
  void injectsAtTheirOffsetsAndHealsAfterTheirDurations() throws Exception {
    Schedule s = schedule();
    List<NemesisRunner.Outcome> out = new NemesisRunner(recording(Set.of()), clock).run(s);
    assertThat(out).hasSize(s.faults().size());
    List<String> expected = new ArrayList<>();
    for (Fault f : s.faults()) {
      expected.add("inject " + f.index() + " @" + (1_000 + f.at().toNanos()));
      expected.add("heal " + f.index() + " @" + (1_000 + f.end().toNanos()));
    }
    assertThat(events).isEqualTo(expected);
    assertThat(out).allMatch(NemesisRunner.Outcome::injected).allMatch(o -> o.error() == null);
    assertThat(clock.now).isEqualTo(1_000 + s.budget().toNanos());
  }

  @Test
  void aFaultThatCannotBeInjectedIsRecordedAndTheRunGoesOn() throws Exception {
    Schedule s = schedule();
    List<NemesisRunner.Outcome> out = new NemesisRunner(recording(Set.of(1)), clock).run(s);
    assertThat(out.get(0).injected()).isFalse();
    assertThat(out.get(0).error()).contains("no leader");
    assertThat(out.subList(1, out.size())).allMatch(NemesisRunner.Outcome::injected);
    assertThat(events).doesNotContain("heal 1 @" + (1_000 + s.faults().get(0).end().toNanos()));
  }

  @Test
  void anInterruptedRunStillHealsTheCurrentFault() throws Exception {
    Schedule s = schedule();
    FaultInjector inner = recording(Set.of());
    FaultInjector interruptAfterFirstInject = f -> {
      FaultInjector.Heal h = inner.inject(f);
      clock.interruptOnNextSleep = true;
      return h;
    };
    try {
      new NemesisRunner(interruptAfterFirstInject, clock).run(s);
    } catch (InterruptedException expected) {
      assertThat(events).hasSize(2);
      assertThat(events.get(1)).startsWith("heal 1 ");
      return;
    }
    throw new AssertionError("the run was not interrupted");
  }
}

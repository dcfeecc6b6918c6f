package io.tandem.agent.control;

import static io.tandem.agent.control.Views.MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.proto.agent.RuntimeState;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Safety of {@link Decide}, on random views and on random (duplicated, reordered) message sequences. */
class DecidePropertyTest {
  private static final long NOW = Views.NOW;
  private static final RuntimeState[] STATES = {RuntimeState.RUNTIME_DOWN,
      RuntimeState.RUNTIME_STARTING, RuntimeState.RUNTIME_STANDBY, RuntimeState.RUNTIME_RUNNING,
      RuntimeState.RUNTIME_HUNG};

  @Property(tries = 3000)
  void neverStartsWithoutLeaseAndAssignment(@ForAll("views") View v) {
    Action a = Decide.decide(v, NOW);
    if (a.kind() == ActionKind.SET_TOKEN_AND_START) {
      assertThat(v.committed().names(Views.ME)).isTrue();
      assertThat(a.token()).isEqualTo(v.committed().token());
      assertThat(a.token()).isGreaterThan(v.fencedToken());
      assertThat(v.lease().validFor(a.token(), NOW)).isTrue();
    }
  }

  @Property(tries = 3000)
  void runningFlowsWithoutValidLeaseAreStopped(@ForAll("views") View v) {
    boolean leaseOver = v.lease().isNone() || NOW - v.lease().stopAtNanos() >= 0;
    if (v.runtime().state() == RuntimeState.RUNTIME_RUNNING && leaseOver) {
      assertThat(Decide.decide(v, NOW).kind()).isEqualTo(ActionKind.STOP);
    }
  }

  @Provide
  Arbitrary<View> views() {
    Arbitrary<Committed> committed = Combinators.combine(
        Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of("a", "b", ""),
        Arbitraries.longs().between(0, 8), Arbitraries.of(true, false))
        .as((known, exists, active, token, maint) -> known
            ? new Committed(true, exists, active, token, maint, 0) : Committed.UNKNOWN);
    Arbitrary<Lease> lease = Combinators.combine(Arbitraries.of(true, false),
        Arbitraries.longs().between(0, 8), Arbitraries.longs().between(-1500, 1500))
        .as((none, token, stopIn) -> none ? Lease.NONE : Views.lease(token, stopIn));
    Arbitrary<RuntimeStatus> runtime = Combinators.combine(Arbitraries.of(STATES),
        Arbitraries.longs().between(1, 3))
        .as((s, gen) -> new RuntimeStatus(s, 42, gen, ""));
    Arbitrary<Long> tokens = Arbitraries.longs().between(0, 8);
    return Combinators.combine(committed, tokens, lease, runtime, tokens, tokens,
        Arbitraries.longs().between(-1, 3))
        .as((c, rel, l, rt, running, fenced, killed) ->
            new View(Views.ME, c, rel, l, rt, running, fenced, killed));
  }

  /**
   * A coordinator history (assignments with increasing tokens) delivered as heartbeat replies and
   * watch updates that are duplicated, reordered and delayed, mixed with runtime crashes, hangs and
   * time passing; actions are applied to a model runtime. Checked after every step: every start
   * had a valid lease and an assignment naming this instance with a token above every fenced one,
   * and flows never run past the stop time of their lease.
   */
  @Property(tries = 400)
  void sequencesStaySafe(@ForAll("steps") List<Step> steps) {
    LeaseSettings settings = LeaseSettings.defaults();
    ControlState state = new ControlState(Views.ME, settings);
    Model model = new Model();
    long now = NOW;
    state.onRuntime(model.status());
    int index = 0;
    for (Step s : steps) {
      now += s.advanceMs * MS;
      // tokens grow along the history; a negative offset re-delivers an older message
      long token = Math.max(1, ++index / 2 + s.token);
      switch (s.kind) {
        case 0 -> state.onHeartbeat(now - s.delayMs * MS, Messages.reply(s.active, token,
            s.granted && "a".equals(s.active) ? 2000 : 0, s.release));
        case 1 -> state.onWatch(Messages.update(s.active, token, s.release));
        case 2 -> model.crash();
        case 3 -> model.hang();
        default -> model.restarted();
      }
      state.onRuntime(model.status());
      for (int i = 0; i < 5; i++) {
        View v = state.view();
        Action a = Decide.decide(v, now);
        if (a.kind() == ActionKind.SET_TOKEN_AND_START) {
          assertThat(v.committed().names(Views.ME)).isTrue();
          assertThat(a.token()).isGreaterThan(model.highestFenced);
          assertThat(v.lease().validFor(a.token(), now)).isTrue();
        }
        model.apply(a, state, v);
        state.onRuntime(model.status());
      }
      if (model.running) {
        View v = state.view();
        assertThat(v.lease().validFor(v.runningToken(), now))
            .as("flows run under token %d after the lease's stop time", v.runningToken()).isTrue();
      }
    }
    boolean started = model.log.stream().anyMatch(l -> l.startsWith("SET_TOKEN_AND_START"));
    boolean stopped = model.log.stream().anyMatch(l -> l.startsWith("STOP"));
    Statistics.label("started").collect(started);
    Statistics.label("started and stopped").collect(started && stopped);
    // the sequences must exercise starts and stops, or the checks above prove nothing
    Statistics.label("started").coverage(c -> c.check(true).percentage(p -> p > 15));
    Statistics.label("started and stopped").coverage(c -> c.check(true).percentage(p -> p > 3));
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.of(0, 0, 0, 0, 1, 1, 2, 3, 4, 4), Arbitraries.of("a", "a", "b", ""),
        Arbitraries.longs().between(-3, 1), Arbitraries.of(true, true, false),
        Arbitraries.of(false, false, false, true), Arbitraries.of(0L, 0L, 5L, 50L, 500L, 1800L, 2500L),
        Arbitraries.longs().between(0, 600))
        .as(Step::new);
    return step.list().ofMinSize(8).ofMaxSize(40);
  }

  record Step(int kind, String active, long token, boolean granted, boolean release, long delayMs,
      long advanceMs) {}

  /** A model of the runtime, driven by the actions the way the executor drives the real one. */
  static final class Model {
    RuntimeState state = RuntimeState.RUNTIME_STANDBY;
    boolean running;
    long generation = 1;
    long highestFenced;
    final List<String> log = new ArrayList<>();

    RuntimeStatus status() {
      return new RuntimeStatus(state, 42, generation, "");
    }

    void crash() {
      running = false;
      state = RuntimeState.RUNTIME_DOWN;
    }

    void hang() {
      if (state != RuntimeState.RUNTIME_DOWN) {
        state = RuntimeState.RUNTIME_HUNG;
      }
    }

    void restarted() {
      if (state == RuntimeState.RUNTIME_DOWN) {
        generation++;
        state = RuntimeState.RUNTIME_STANDBY;
      }
    }

    void apply(Action a, ControlState s, View v) {
      log.add(a.kind() + " " + a.token());
      switch (a.kind()) {
        case SET_TOKEN_AND_START -> {
          s.started(a.token());
          running = true;
          state = RuntimeState.RUNTIME_RUNNING;
        }
        case STOP -> {
          running = false;
          state = RuntimeState.RUNTIME_STANDBY;
          fence(s, a.token());
        }
        case KILL -> {
          s.killed(v.runtime().generation());
          crash();
          fence(s, a.token());
        }
        case REPORT_FENCED -> fence(s, a.token());
        default -> { }
      }
    }

    private void fence(ControlState s, long token) {
      s.fenced(token);
      highestFenced = Math.max(highestFenced, token);
    }
  }
}

package io.tandem.it.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class NemesisTest {
  private static final List<String> INSTANCES = List.of("a", "b", "c");
  private static final List<String> COORDINATORS = List.of("c1", "c2", "c3");

  private static NemesisConfig config(int seconds) {
    return NemesisConfig.defaults(Duration.ofSeconds(seconds), INSTANCES, COORDINATORS);
  }

  @Test
  void sameSeedSameSchedule() {
    Schedule a = Nemesis.plan(42, config(300));
    Schedule b = Nemesis.plan(42, config(300));
    assertThat(a).isEqualTo(b);
    assertThat(a.describe()).isEqualTo(b.describe());
    assertThat(a.describe().get(0)).startsWith("nemesis seed=42 ");
  }

  @Test
  void differentSeedsDifferentSchedules() {
    assertThat(Nemesis.plan(1, config(300)).faults()).isNotEqualTo(Nemesis.plan(2, config(300)).faults());
  }

  @Test
  void aLongScheduleUsesEveryKind() {
    Schedule s = Nemesis.plan(7, config(3600));
    assertThat(s.countByKind().keySet()).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(FaultKind.class));
    assertThat(s.faults().stream().filter(f -> f.allowed() != null).map(Fault::allowed).distinct())
        .containsExactlyInAnyOrder(Direction.values());
  }

  @Property(tries = 200)
  void faultsAreSequentialWithinTheBudgetAndTheirRanges(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 900) int seconds) {
    NemesisConfig c = config(seconds);
    Schedule s = Nemesis.plan(seed, c);
    Duration previousEnd = Duration.ZERO;
    for (int i = 0; i < s.faults().size(); i++) {
      Fault f = s.faults().get(i);
      assertThat(f.index()).isEqualTo(i + 1);
      Duration gap = f.at().minus(previousEnd);
      assertThat(gap).isBetween(c.minQuiet(), c.maxQuiet());
      assertThat(f.duration().toMillis()).isBetween(f.kind().minMillis(), f.kind().maxMillis());
      assertThat(f.end()).isLessThanOrEqualTo(c.budget());
      switch (f.kind().target()) {
        case INSTANCE -> assertThat(INSTANCES).contains(f.target());
        case ANY_COORDINATOR -> assertThat(COORDINATORS).contains(f.target());
        case LEADER -> assertThat(f.target()).isEqualTo("leader");
        case FOLLOWER -> assertThat(f.target()).isEqualTo("follower");
        case NONE -> assertThat(f.target()).isEmpty();
      }
      boolean delays = f.kind() == FaultKind.AGENT_DELAY || f.kind() == FaultKind.PEER_DELAY;
      assertThat(f.delay().toMillis()).isBetween(delays ? Nemesis.MIN_DELAY_MS : 0, delays ? Nemesis.MAX_DELAY_MS : 0);
      assertThat(f.allowed() != null).isEqualTo(f.kind() == FaultKind.AGENT_ONE_WAY);
      previousEnd = f.end();
    }
    assertThat(s.faults().size()).isLessThanOrEqualTo(seconds / 2);
  }

  @Property(tries = 200)
  void clockRatesStayWithinTheDriftBound(@ForAll long seed) {
    Schedule s = Nemesis.plan(seed, config(60));
    assertThat(s.coordinatorClocks().keySet()).containsExactlyInAnyOrderElementsOf(COORDINATORS);
    assertThat(s.agentClocks().keySet()).containsExactlyInAnyOrderElementsOf(INSTANCES);
    var rates = new java.util.ArrayList<>(s.coordinatorClocks().values());
    rates.addAll(s.agentClocks().values());
    double lo = rates.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double hi = rates.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    assertThat(lo).isGreaterThanOrEqualTo(1 - NemesisConfig.DEFAULT_CLOCK_DRIFT);
    assertThat(hi).isLessThanOrEqualTo(1 + NemesisConfig.DEFAULT_CLOCK_DRIFT);
    assertThat(hi / lo).isLessThan(1.01); // the agents' default driftBound
  }

  @Test
  void onlyTheChosenKindsAndNoClocksWhenDriftIsZero() {
    Schedule s = Nemesis.plan(3, config(600).withKinds(Set.of(FaultKind.KILL_NODE_RED, FaultKind.PAUSE_LEADER))
        .withClockDrift(0));
    assertThat(s.countByKind().keySet()).containsExactlyInAnyOrder(FaultKind.KILL_NODE_RED, FaultKind.PAUSE_LEADER);
    assertThat(s.coordinatorClocks()).isEmpty();
    assertThat(s.agentClocks()).isEmpty();
  }

  @Test
  void quietWindowsAreTheGapsBetweenFaults() {
    Schedule s = Nemesis.plan(11, config(120));
    List<Duration[]> quiet = s.quietWindows();
    assertThat(quiet).hasSize(s.faults().size() + 1);
    assertThat(quiet.get(0)[0]).isEqualTo(Duration.ZERO);
    assertThat(quiet.get(0)[1]).isEqualTo(s.faults().get(0).at());
    assertThat(quiet.get(1)[0]).isEqualTo(s.faults().get(0).end());
    assertThat(quiet.get(quiet.size() - 1)[1]).isEqualTo(s.budget());
  }

  @Test
  void aBudgetTooShortForAnyFaultGivesAnEmptySchedule() {
    Schedule s = Nemesis.plan(5, config(2));
    assertThat(s.faults()).isEmpty();
    assertThat(s.quietWindows()).hasSize(1);
  }

  @Test
  void rejectsBadConfigs() {
    assertThatThrownBy(() -> config(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config(10).withKinds(Set.of())).hasMessageContaining("no fault kinds");
    assertThatThrownBy(() -> config(10).withClockDrift(0.5)).hasMessageContaining("clockDrift");
    assertThatThrownBy(() -> config(10).withQuiet(Duration.ofSeconds(3), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

package io.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.agent.Assignment;
import org.junit.jupiter.api.Test;

class SimAgentStateTest {
  private static final long MS = 1_000_000L;

  private static HeartbeatResponse answer(String active, long token, long leaseMillis) {
    return HeartbeatResponse.newBuilder().setAssignment(Assignment.newBuilder().setActive(active).setToken(token))
        .setLeaseMillis(leaseMillis).build();
  }

  @Test
  void runsWhileLeasedAndReportsItsToken() {
    SimAgentState a = new SimAgentState("g1", "a");
    assertThat(a.heartbeat().getRuntime()).isEqualTo(RuntimeState.RUNTIME_STANDBY);
    assertThat(a.onAnswer(0, answer("a", 7, 2000))).isTrue();
    assertThat(a.running()).isTrue();
    assertThat(a.heartbeat().getRuntime()).isEqualTo(RuntimeState.RUNTIME_RUNNING);
    assertThat(a.heartbeat().getRunningToken()).isEqualTo(7);
    assertThat(a.heartbeat().getGroup()).isEqualTo("g1");
    assertThat(a.heartbeat().getInstance()).isEqualTo("a");
  }

  @Test
  void selfFencesWhenTheAgentWouldStopItsFlowsTheLeaseLessOnePercentLessTheStopBudget() {
    SimAgentState a = new SimAgentState("g1", "a");
    a.onAnswer(100 * MS, answer("a", 7, 2000));
    // as the agent's LeaseSettings.stopAtNanos with its defaults: 2000 * 0.99 - 300 = 1680 ms
    assertThat(a.fenceIfExpired(100 * MS + 1680 * MS)).isEmpty();
    var report = a.fenceIfExpired(100 * MS + 1681 * MS);
    assertThat(report).isPresent();
    assertThat(report.get().getReason()).isEqualTo(FenceReason.LEASE_LOST);
    assertThat(report.get().getToken()).isEqualTo(7);
    assertThat(a.running()).isFalse();
    assertThat(a.fencedToken()).isEqualTo(7);
    assertThat(a.fenceIfExpired(10_000 * MS)).as("a standby has nothing to fence").isEmpty();
  }

  @Test
  void aFencedTokenIsNeverRunAgainButANewerOneIs() {
    SimAgentState a = new SimAgentState("g1", "a");
    a.onAnswer(0, answer("a", 7, 2000));
    a.fenceIfExpired(3000 * MS);
    a.onAnswer(3000 * MS, answer("a", 7, 2000));
    assertThat(a.running()).as("token 7 was fenced").isFalse();
    a.onAnswer(3100 * MS, answer("a", 9, 2000));
    assertThat(a.running()).isTrue();
  }

  @Test
  void anotherActiveStopsItAndAnAnswerWithoutLeaseDoesNotStartIt() {
    SimAgentState a = new SimAgentState("g1", "a");
    assertThat(a.onAnswer(0, answer("a", 7, 0))).isFalse();
    assertThat(a.running()).isFalse();
    a.onAnswer(0, answer("a", 7, 2000));
    a.onAnswer(MS, answer("b", 9, 2000));
    assertThat(a.running()).isFalse();
    assertThat(a.fencedToken()).isEqualTo(9);
    assertThat(a.heartbeat().getRunningToken()).isZero();
  }

  @Test
  void shedWaitIsTheHintTimesAJitterOfHalfToOneAndAHalfAtMostTwoPeriods() {
    long period = 250 * MS;
    assertThat(SimAgentState.shedWaitNanos("100", period, 0.0)).isEqualTo(50 * MS);
    assertThat(SimAgentState.shedWaitNanos("100", period, 0.5)).isEqualTo(100 * MS);
    assertThat(SimAgentState.shedWaitNanos(null, period, 0.5)).isEqualTo(period);
    assertThat(SimAgentState.shedWaitNanos("2000", period, 0.9)).isEqualTo(2 * period);
  }
}

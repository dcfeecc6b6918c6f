package io.tandem.it.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupLogTest {
  private static final String C1 = "2026-12-03T15:13:49.323+0000 [c1@group-3AA-StateMachineUpdater] INFO CoordinatorServer"
      + " - c1 is the leader (term 1): leases of every active count as renewed now";
  private static final String C1_LATER = "2026-12-03T15:20:00.000+0000 [x] INFO CoordinatorServer"
      + " - c1 is the leader (term 3): leases of every active count as renewed now";
  private static final String C2 = "2026-12-03T15:13:49.100+0000 [x] INFO CoordinatorServer - c2 is the leader (term 2):"
      + " leases of every active count as renewed now";

  private static long millis(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  void readsTheTimestampOfALineAndSkipsLinesWithout() {
    assertThat(StartupLog.stamp(C1)).hasValue(millis("2026-12-03T15:13:49.323Z"));
    assertThat(StartupLog.stamp("    at io.tandem.Foo.bar(Foo.java:12)")).isEmpty();
    assertThat(StartupLog.stamp("3 Dec 15:13:52 - [info] Node-RED version: v4.1.8")).isEmpty();
    assertThat(StartupLog.stamp("2026-12-03T15:13:49.323+0100 x")).hasValue(millis("2026-12-03T14:13:49.323Z"));
  }

  @Test
  void theFirstMatchAtOrAfterTheMomentCounts() {
    List<String> log = List.of("garbage without a stamp is the leader (term 9)", C1, C1_LATER);
    assertThat(StartupLog.first(log, StartupLog.LEADER, millis("2026-12-03T15:13:49.323Z")).millis())
        .isEqualTo(millis("2026-12-03T15:13:49.323Z"));
    assertThat(StartupLog.first(log, StartupLog.LEADER, millis("2026-12-03T15:13:49.324Z")).line()).isEqualTo(C1_LATER);
    assertThat(StartupLog.first(log, StartupLog.LEADER, millis("2026-12-03T15:20:00.001Z"))).isNull();
  }

  @Test
  void theEarliestOverSeveralLogs() {
    StartupLog.Hit h = StartupLog.earliest(List.of(List.of(C1), List.of(), List.of(C2)), StartupLog.LEADER, 0);
    assertThat(h.line()).isEqualTo(C2);
    assertThat(StartupLog.earliest(List.of(List.of(), List.of()), StartupLog.LEADER, 0)).isNull();
  }

  @Test
  void committedNeedsANamedActiveOfThatGroupAndCapturesIt() {
    List<String> log = List.of(
        "2026-12-03T15:14:02.745+0000 [u] INFO LeaderTicker - group bench: committed at index 9, active \"\" token 1",
        "2026-12-03T15:14:02.800+0000 [u] INFO LeaderTicker - group other: committed at index 10, active \"b\" token 2",
        "2026-12-03T15:14:02.900+0000 [u] INFO LeaderTicker - group bench: committed at index 11, active \"a\" token 3");
    StartupLog.Hit h = StartupLog.first(log, StartupLog.committed("bench"), 0);
    assertThat(h.group()).isEqualTo("a");
    assertThat(h.millis()).isEqualTo(millis("2026-12-03T15:14:02.900Z"));
    assertThat(StartupLog.first(List.of("2026-12-03T15:14:02.691+0000 [t] INFO LeaderTicker - group bench: deciding"
        + " (no_active) to activate \"a\""), StartupLog.decided("bench"), 0)).isNotNull();
    assertThat(StartupLog.first(List.of("2026-12-03T15:14:02.691+0000 [t] INFO LeaderTicker - group bench2: deciding"
        + " (no_active) to activate \"a\""), StartupLog.decided("bench"), 0)).isNull();
  }

  @Test
  void readyAndFlowsStartedLinesOfTheAgent() {
    String ready = "2026-12-03T15:13:59.393+0000 [Thread-76] INFO LaunchedRuntime - Node-RED port-37469 (pid 3779,"
        + " generation 1) ready as a spare in 7860 ms, flows stopped";
    String started = "2026-12-03T15:13:59.916+0000 [tandem-control] INFO Reconciler - flows started: committed active"
        + " with token 3, lease left 1662 ms [SET_TOKEN_AND_START token 3]";
    assertThat(StartupLog.first(List.of(ready), StartupLog.READY, 0)).isNotNull();
    assertThat(StartupLog.first(List.of(started), StartupLog.FLOWS_STARTED, 0)).isNotNull();
    assertThat(StartupLog.first(List.of(ready), StartupLog.FLOWS_STARTED, 0)).isNull();
  }
}

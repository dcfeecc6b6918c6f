package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.grpc.MemberLiveness.Proceed;
import io.tandem.coordinator.grpc.MemberLiveness.Refuse;
import io.tandem.coordinator.grpc.MemberLiveness.Verdict;
import io.tandem.coordinator.grpc.MemberLiveness.Wait;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemberLivenessTest {
  private static final List<String> THREE = List.of("c1", "c2", "c3");
  private static final List<String> FOUR = List.of("c1", "c2", "c3", "c4");
  private static final long MS = 1_000_000;
  private static final long W = MemberLiveness.CONFIRM_WITHIN_MILLIS;

  private static Verdict judge(List<String> next, long sinceMs, Map<String, Long> replyMs, Map<String, Long> answeredAgeMs) {
    Map<String, Long> ages = new java.util.HashMap<>();
    answeredAgeMs.forEach((id, ms) -> ages.put(id, ms * MS));
    return MemberLiveness.judge(THREE, next, "c1", sinceMs * MS, replyMs, ages);
  }

  @Test
  void aHealthyAddProceedsOnceEveryFollowerAnsweredAHeartbeatSentAfterTheRequest() {
    // 40 ms after the request: c2 answered one sent 20 ms ago, c3 only one sent 60 ms ago
    assertThat(judge(FOUR, 40, Map.of("c2", 15L, "c3", 55L), Map.of("c2", 20L, "c3", 60L)))
        .isInstanceOf(Wait.class);
    assertThat(judge(FOUR, 90, Map.of("c2", 10L, "c3", 5L), Map.of("c2", 15L, "c3", 10L)))
        .isEqualTo(new Proceed(java.util.Set.of("c1", "c2", "c3")));
  }

  @Test
  void aFollowerKilledJustBeforeTheAddIsNotCountedThoughItsLastAnswerIsRecent() {
    // c3 died 30 ms before the request: its last answer (to a heartbeat sent before) stays recent
    assertThat(judge(FOUR, 200, Map.of("c2", 20L, "c3", 230L), Map.of("c2", 25L, "c3", 235L)))
        .as("within the window: wait for c3").isInstanceOf(Wait.class);
    Verdict late = judge(FOUR, W, Map.of("c2", 20L, "c3", W + 30), Map.of("c2", 25L, "c3", W + 35));
    assertThat(late).isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.why())
        .contains("would depend on [c4]", "remove the unreachable [c3] first (tandemctl members remove c3)",
            "retry when it is back", "c3 last answered the leader " + (W + 30) + " ms ago",
            "it answered no heartbeat sent in the " + W + " ms after this request", "answers a heartbeat every 75 ms"));
    assertThat(judge(FOUR, W - 1, Map.of("c2", 20L, "c3", W - 1), Map.of("c2", 25L, "c3", W + 5)))
        .as("silent for less than the window: still waiting").isInstanceOf(Wait.class);
  }

  @Test
  void aFollowerSilentForTheWholeWindowIsRefusedAtOnce() {
    Verdict v = judge(FOUR, 0, Map.of("c2", 20L, "c3", W + 2000), Map.of("c2", 25L, "c3", W + 2005));
    assertThat(v).isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.why())
        .contains("remove the unreachable [c3] first", "c3 last answered the leader " + (W + 2000) + " ms ago")
        .doesNotContain("after this request"));
  }

  @Test
  void removingADeadFollowerNeedsOnlyTheOthersToAnswer() {
    // c3 is dead (it never answers again); the remove waits for c2 alone
    assertThat(judge(List.of("c1", "c2"), 10, Map.of("c2", 30L, "c3", 300L), Map.of("c2", 35L, "c3", 305L)))
        .isInstanceOf(Wait.class);
    assertThat(judge(List.of("c1", "c2"), 80, Map.of("c2", 2L, "c3", 370L), Map.of("c2", 5L, "c3", 375L)))
        .isEqualTo(new Proceed(java.util.Set.of("c1", "c2")));
  }

  @Test
  void aFollowerThatNeverAnsweredThisLeaderIsNamedSo() {
    // a new leader: c3 never answered it (no record of an answer), c2 did
    Verdict v = judge(FOUR, W, Map.of("c2", 20L, "c3", 900L), Map.of("c2", 25L));
    assertThat(v).isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.why())
        .contains("remove the unreachable [c3] first", "c3 has not answered this leader")
        .doesNotContain("900 ms"));
    Verdict never = judge(List.of("c1", "c2"), 1000, Map.of(), Map.of());
    assertThat(never).isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.why())
        .contains("current majority is not reachable", "c2 has not answered this leader",
            "c3 has not answered this leader", "none of them answered a heartbeat"));
  }

  @Test
  void aGrowingClusterThatAnsweredBeforeTheRequestOnlyIsNotYetConfirmed() {
    // answers to requests sent before the request arrived (ages above the time since it) do not count
    assertThat(judge(FOUR, 50, Map.of("c2", 1L, "c3", 1L), Map.of("c2", 50L, "c3", 51L)))
        .isInstanceOf(Wait.class);
  }

  @Test
  void theCoordinatorBeingAddedDoesNotCountThoughItAnswersAsACaughtUpListener() {
    // c3 is dead; c4, a Raft listener that caught up, answers every heartbeat: the four would
    // still need c4 for their majority
    Verdict v = judge(FOUR, W, Map.of("c2", 5L, "c3", W + 500, "c4", 5L), Map.of("c2", 10L, "c4", 10L));
    assertThat(v).isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.why())
        .contains("would depend on [c4]", "remove the unreachable [c3] first"));
    assertThat(judge(FOUR, 90, Map.of("c2", 5L, "c3", 5L, "c4", 5L), Map.of("c2", 10L, "c3", 10L, "c4", 10L)))
        .isEqualTo(new Proceed(java.util.Set.of("c1", "c2", "c3")));
  }
}

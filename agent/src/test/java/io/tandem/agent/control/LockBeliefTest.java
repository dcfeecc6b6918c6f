package io.tandem.agent.control;

import static io.tandem.agent.control.Views.MS;
import static io.tandem.agent.control.Views.NOW;
import static io.tandem.agent.control.Views.lease;
import static io.tandem.agent.control.Views.view;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contract's belief: held iff committed holder == me and the own lease is live. */
class LockBeliefTest {
  private static Views member() {
    return view().running(12).runtime(RUNTIME_RUNNING).lease(lease(12, 800));
  }

  private static LockState one(View v, String key, Set<String> wanted, Map<String, Long> released) {
    return LockBelief.of(v, wanted, released, NOW).stream().filter(l -> l.key().equals(key))
        .findFirst().orElseThrow();
  }

  @Test
  void heldByTheCommittedHolderWithALiveLeaseUntilTheSelfFenceDeadline() {
    View v = member().allActive(12, "k", "a", 41, "j", "b", 43).build();
    LockState k = one(v, "k", Set.of("k"), Map.of());
    assertThat(k.held()).isTrue();
    assertThat(k.token()).isEqualTo(41);
    assertThat(k.validForMillis(NOW)).isEqualTo(800);
    assertThat(k.validForMillis(NOW + 300 * MS)).isEqualTo(500);
    LockState j = one(v, "j", Set.of("k"), Map.of());
    assertThat(j.held()).isFalse();
    assertThat(j.holder()).isEqualTo("b");
    assertThat(j.validForMillis(NOW)).isZero();
  }

  @Test
  void notHeldWithoutALiveLeaseOrRunningFlows() {
    View expired = view().running(12).runtime(RUNTIME_RUNNING).lease(lease(12, 0))
        .allActive(12, "k", "a", 41).build();
    assertThat(one(expired, "k", Set.of("k"), Map.of()).held()).isFalse();
    View stopped = view().lease(lease(12, 800)).allActive(12, "k", "a", 41).build();
    assertThat(one(stopped, "k", Set.of("k"), Map.of()).held()).isFalse();
  }

  @Test
  void neverHeldAgainAtOrBelowTheFenceWatermarkOrAReleasedToken() {
    View fenced = member().allActive(12, "k", "a", 41).lockFloor(41).build();
    assertThat(one(fenced, "k", Set.of("k"), Map.of()).held()).isFalse();
    View fresh = member().allActive(12, "k", "a", 57).lockFloor(41).build();
    assertThat(one(fresh, "k", Set.of("k"), Map.of()).held()).isTrue();
    assertThat(one(fresh, "k", Set.of("k"), Map.of("k", 57L)).held()).isFalse();
  }

  @Test
  void staleKeysAreGivenBack() {
    View v = member().allActive(12, "k", "a", 41, "j", "a", 50, "u", "a", 60, "o", "b", 3)
        .lockFloor(41).build();
    assertThat(LockBelief.stale(v, Set.of("k", "j"), Map.of("j", 50L)))
        .containsOnly(Map.entry("k", 41L), Map.entry("j", 50L), Map.entry("u", 60L));
  }

  @Test
  void listsEveryGroupKeyAndEveryWantedKey() {
    View v = member().allActive(12, "k", "b", 41).build();
    List<LockState> all = LockBelief.of(v, Set.of("w"), Map.of(), NOW);
    assertThat(all).extracting(LockState::key).containsExactly("k", "w");
    assertThat(all.get(1).wanted()).isTrue();
    assertThat(all.get(1).held()).isFalse();
  }

  @Test
  void activeStandbyTheActiveHoldsEveryWantedKeyUnderTheGroupToken() {
    View active = view().assigned("a", 7).running(7).runtime(RUNTIME_RUNNING).lease(lease(7, 600)).build();
    List<LockState> held = LockBelief.of(active, Set.of("x", "y"), Map.of(), NOW);
    assertThat(held).allSatisfy(l -> {
      assertThat(l.held()).isTrue();
      assertThat(l.token()).isEqualTo(7);
      assertThat(l.validForMillis(NOW)).isEqualTo(600);
    });
    View standby = view().assigned("b", 7).build();
    assertThat(LockBelief.of(standby, Set.of("x"), Map.of(), NOW)).allSatisfy(l -> {
      assertThat(l.held()).isFalse();
      assertThat(l.holder()).isEqualTo("b");
    });
    assertThat(LockBelief.stale(active, Set.of(), Map.of())).isEmpty();
  }
}

package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuorumTest {
  private static final List<String> THREE = List.of("c1", "c2", "c3");

  @Test
  void aDeadPeerIsRemovedFirstThenItsReplacementAdded() {
    Set<String> live = Set.of("c1", "c2");
    assertThat(Quorum.refusal(THREE, List.of("c1", "c2"), live)).isEmpty();
    assertThat(Quorum.refusal(List.of("c1", "c2"), List.of("c1", "c2", "c4"), live)).isEmpty();
    assertThat(Quorum.refusal(THREE, List.of("c1", "c2", "c3", "c4"), Set.of("c1", "c2", "c3")))
        .as("growing a healthy cluster").isEmpty();
  }

  @Test
  void addingWhileAMemberIsDeadIsRefusedSinceTheNewPeerWouldBeNeeded() {
    assertThat(Quorum.refusal(THREE, List.of("c1", "c2", "c3", "c4"), Set.of("c1", "c2")))
        .hasValueSatisfying(m -> assertThat(m).contains("would depend on [c4], which is being added")
            .contains("remove the unreachable [c3] first"));
  }

  @Test
  void removingALivePeerWhenTheRestHasNoReachableMajorityIsRefused() {
    assertThat(Quorum.refusal(List.of("c1", "c2", "c4"), List.of("c2", "c4"), Set.of("c1", "c4")))
        .hasValueSatisfying(m -> assertThat(m).contains("would lose the majority").contains("[c4]"));
  }

  @Test
  void aChangeWithoutTheCurrentMajorityIsRefused() {
    assertThat(Quorum.refusal(THREE, List.of("c1", "c2", "c3", "c4"), Set.of("c1")))
        .hasValueSatisfying(m -> assertThat(m).contains("current majority is not reachable"));
    assertThat(Quorum.refusal(THREE, List.of("c1", "c2"), Set.of("c1")))
        .hasValueSatisfying(m -> assertThat(m).contains("current majority is not reachable"));
  }

  @Test
  void addingToAFourPeerSetWithTwoDeadIsRefused() {
    // {c1..c4} with c3, c4 dead has no majority now, and adding c5 does not make one
    assertThat(Quorum.refusal(List.of("c1", "c2", "c3", "c4"), List.of("c1", "c2", "c3", "c4", "c5"),
        Set.of("c1", "c2"))).isPresent();
  }

  @Test
  void theLastPeerCannotBeRemoved() {
    assertThat(Quorum.refusal(List.of("c1"), List.of(), Set.of("c1"))).isPresent();
  }
}

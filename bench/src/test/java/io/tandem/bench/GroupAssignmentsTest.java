package io.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GroupAssignmentsTest {
  @Test
  void theFirstActivationIsNotAFailoverEveryLaterNewTokenIs() {
    GroupAssignments g = new GroupAssignments();
    assertThat(g.observe("", 0)).isFalse();
    assertThat(g.activated()).isFalse();
    assertThat(g.observe("a", 5)).isFalse();
    assertThat(g.activated()).isTrue();
    assertThat(g.observe("a", 5)).as("the same assignment again").isFalse();
    assertThat(g.observe("b", 9)).isTrue();
    assertThat(g.observe("", 12)).as("deactivated").isTrue();
    assertThat(g.failovers()).isEqualTo(2);
  }

  @Test
  void anOlderTokenFromAStaleAnswerIsIgnored() {
    GroupAssignments g = new GroupAssignments();
    g.observe("a", 5);
    g.observe("b", 9);
    assertThat(g.observe("a", 5)).isFalse();
    assertThat(g.failovers()).isEqualTo(1);
  }
}

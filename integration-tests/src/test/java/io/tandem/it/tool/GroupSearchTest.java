package io.tandem.it.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class GroupSearchTest {
  /** Runs the search against a cluster that passes exactly the levels {@code passes} accepts. */
  private static List<Integer> levels(GroupSearch s, IntPredicate passes) {
    List<Integer> tried = new ArrayList<>();
    for (OptionalInt g = s.next(); g.isPresent(); g = s.next()) {
      tried.add(g.getAsInt());
      s.record(g.getAsInt(), passes.test(g.getAsInt()));
    }
    return tried;
  }

  @Test
  void doublesWhileLevelsPassThenBisectsToWithinTheResolution() {
    GroupSearch s = new GroupSearch(500, 20, 0.1);
    List<Integer> tried = levels(s, g -> g <= 2600);
    assertThat(tried).startsWith(500, 1000, 2000, 4000, 3000, 2500);
    assertThat(s.largestPass()).isBetween(2400, 2600);
    assertThat(s.smallestFail() - s.largestPass()).isLessThanOrEqualTo(s.largestPass() / 10);
  }

  @Test
  void stopsAfterTheLevelBound() {
    GroupSearch s = new GroupSearch(500, 3, 0.1);
    assertThat(levels(s, g -> true)).containsExactly(500, 1000, 2000);
    assertThat(s.largestPass()).isEqualTo(2000);
    assertThat(s.smallestFail()).isZero();
  }

  @Test
  void aFailingStartBisectsDownwardsAndMayFindNoPass() {
    GroupSearch s = new GroupSearch(8, 20, 0.1);
    assertThat(levels(s, g -> false)).containsExactly(8, 4, 2, 1);
    assertThat(s.largestPass()).isZero();
    assertThat(s.smallestFail()).isEqualTo(1);
  }

  @Test
  void aFailingStartFindsTheLargestPassBelowIt() {
    GroupSearch s = new GroupSearch(1000, 20, 0.1);
    levels(s, g -> g <= 300);
    assertThat(s.largestPass()).isBetween(271, 300);
  }
}

package io.tandem.coordinator.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.proto.state.Group;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Applying an entry changes only the group it is about: every other Group message (and its
 * history) is the same object before and after, not a copy. The lease keeper relies on that to
 * find the changed groups by identity.
 */
class ApplierSharingTest {
  private static final int GROUPS = 10_000;

  @Test
  void anActivateAmongTenThousandGroupsSharesEveryOtherGroup() {
    TandemState s = TandemState.getDefaultInstance();
    long index = 0;
    for (int i = 0; i < GROUPS; i++) {
      s = Applier.apply(s, TestCommands.create("g" + i, "a", "b"), ++index).state();
    }
    TandemState before = s;
    long t0 = System.nanoTime();
    Applied a = Applier.apply(before, TestCommands.activate("g5000", "a", 0), ++index);
    long applyMicros = (System.nanoTime() - t0) / 1000;
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.OK);
    TandemState after = a.state();

    Map<String, Group> was = before.getGroupsMap();
    Map<String, Group> now = after.getGroupsMap();
    assertThat(now).hasSize(GROUPS);
    int shared = 0;
    for (Map.Entry<String, Group> e : now.entrySet()) {
      if (e.getValue() == was.get(e.getKey())) {
        shared++;
      }
    }
    assertThat(shared).as("groups shared, not copied").isEqualTo(GROUPS - 1);
    assertThat(now.get("g5000")).isNotSameAs(was.get("g5000"));
    assertThat(now.get("g5000").getActive()).isEqualTo("a");
    assertThat(now.get("g4999").getHistoryList()).isSameAs(was.get("g4999").getHistoryList());
    System.out.printf("one Activate among %d groups applied in %d us%n", GROUPS, applyMicros);
  }
}

package io.tandem.coordinator.state;

import static io.tandem.coordinator.state.TestCommands.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.proto.state.Command;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random command sequences, with stale tokens, duplicated and late (reordered) deliveries and
 * colliding request ids, keep the invariants of the replicated state.
 */
class ApplierPropertiesTest {
  private static final String[] GROUPS = {"g1", "g2"};
  private static final String[] INSTANCES = {"a", "b", "c"};

  /** One step of a random scenario; turned into a command against the state of that moment. */
  record Op(int kind, int group, int instance, int tokenMode, int pick, int requestId) {}

  @Provide
  Arbitrary<Op> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 11),
            Arbitraries.integers().between(0, GROUPS.length - 1),
            Arbitraries.integers().between(0, INSTANCES.length - 1),
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 1000),
            Arbitraries.integers().between(0, 6))
        .as(Op::new);
  }

  @Property(tries = 300)
  void invariantsHoldAndReplayIsDeterministic(@ForAll @Size(max = 80) List<@net.jqwik.api.From("ops") Op> ops) {
    TandemState state = TandemState.getDefaultInstance();
    List<Command> delivered = new ArrayList<>();
    List<Long> seenTokens = new ArrayList<>(List.of(0L));
    long index = 0;
    for (Op op : ops) {
      Command c = command(op, state, delivered, seenTokens);
      index += 1 + op.pick() % 3; // gaps, as Ratis has for its own entries
      Applied applied = Applier.apply(state, c, index);
      check(state, c, index, applied);
      state = applied.state();
      delivered.add(c);
      state.getGroupsMap().values().forEach(g -> seenTokens.add(g.getToken()));
    }
    // Replay determinism: the same log from empty gives the same state, byte for byte.
    TandemState again = TandemState.getDefaultInstance();
    long i = 0;
    for (int k = 0; k < delivered.size(); k++) {
      i += 1 + ops.get(k).pick() % 3;
      again = Applier.apply(again, delivered.get(k), i).state();
    }
    assertThat(again.toByteArray()).isEqualTo(state.toByteArray());
    assertThat(SnapshotCodec.decode(SnapshotCodec.encode(state))).isEqualTo(state);
  }

  private static Command command(Op op, TandemState s, List<Command> delivered, List<Long> seenTokens) {
    String g = GROUPS[op.group()];
    String inst = INSTANCES[op.instance()];
    Group current = s.getGroupsMap().get(g);
    long token =
        switch (op.tokenMode()) {
          case 0, 1 -> current == null ? 0 : current.getToken(); // fresh view
          case 2 -> seenTokens.get(op.pick() % seenTokens.size()); // stale view
          default -> op.pick() % 40; // arbitrary
        };
    Command c =
        switch (op.kind()) {
          case 0 -> create(g, INSTANCES[0], inst);
          case 1 -> delete(g);
          case 2 -> add(g, inst);
          case 3 -> remove(g, inst);
          case 4, 5 -> activate(g, inst, token, revision(current, op));
          case 6 -> deactivate(g, token);
          case 7 -> maintenance(g, op.pick() % 2 == 0);
          case 9 -> deploy(g, token, revision(current, op), "[" + op.pick() + "]");
          case 10 -> op.pick() % 2 == 0
              ? importFlows(g, revision(current, op), "[]")
              : rollback(g, revision(current, op), revision(current, op) - op.pick() % 5);
          case 11 -> editorData(g, token,
              io.tandem.proto.state.EditorDataKind.forNumber(1 + op.pick() % 3),
              op.pick() % 3 == 1 ? "flows\u0000" + op.pick() : "", "{}");
          default -> delivered.isEmpty()
              ? create(g, inst)
              : delivered.get(op.pick() % delivered.size()); // duplicated or late delivery
        };
    return op.requestId() < 3 && op.kind() != 8 ? withRequestId(c, "req-" + op.requestId()) : c;
  }

  /** The group's current revision mostly (a fresh editor), sometimes an older number. */
  private static long revision(Group current, Op op) {
    long r = current == null ? 0 : current.getCurrentRevision();
    return op.tokenMode() < 3 ? r : Math.max(0, r - op.pick() % 3);
  }

  private static void check(TandemState before, Command c, long index, Applied applied) {
    TandemState after = applied.state();
    assertThat(after.getLastAppliedIndex()).isEqualTo(index);
    assertThat(after.getRecentRequestsCount()).isLessThanOrEqualTo(RecentRequests.LIMIT);
    boolean remembered = RecentRequests.find(before, c.getRequestId()).isPresent();
    boolean ok = applied.result().getOutcome() == Outcome.OK;
    if (remembered || !ok) {
      assertThat(after.getGroupsMap()).as("a refusal or a retry changes no group").isEqualTo(before.getGroupsMap());
      assertThat(applied.transitions()).isEmpty();
    }
    if (!remembered) {
      assertThat(applied.result().getIndex()).isEqualTo(index);
    }
    for (Map.Entry<String, Group> e : after.getGroupsMap().entrySet()) {
      Group g = e.getValue();
      assertThat(g.getActive().isEmpty() || Groups.isMember(g, g.getActive()))
          .as("active of %s is a member", g.getName()).isTrue();
      assertThat(g.getHistoryCount()).isLessThanOrEqualTo(Groups.HISTORY_LIMIT);
      Group old = before.getGroupsMap().get(e.getKey());
      if (old == null || old.getCreatedIndex() != g.getCreatedIndex()) {
        assertThat(c.hasCreateGroup()).isTrue();
        assertThat(g.getCreatedIndex()).isEqualTo(index);
        assertThat(g.getToken()).isZero();
        continue;
      }
      assertThat(g.getToken()).as("tokens never decrease").isGreaterThanOrEqualTo(old.getToken());
      if (g.getCurrentRevision() != old.getCurrentRevision()) {
        assertThat(c.hasSetFlows()).as("only SetFlows moves the revision").isTrue();
        assertThat(g.getCurrentRevision()).as("the revision is the entry's index").isEqualTo(index);
        assertThat(c.getSetFlows().getExpectedRevision()).as("CAS on the revision").isEqualTo(old.getCurrentRevision());
        assertThat(c.getSetFlows().getFromAdmin() || c.getSetFlows().getToken() == old.getToken())
            .as("a deploy needs the current token").isTrue();
      }
      var data = after.getGroupDataMap().get(e.getKey());
      if (g.getCurrentRevision() > 0) {
        assertThat(data.getRevisionsList()).last().extracting(r -> r.getRevision())
            .as("the last kept revision is the current one").isEqualTo(g.getCurrentRevision());
        assertThat(data.getRevisionsCount()).isBetween(1, FlowsCommands.DEFAULT_KEEP_REVISIONS);
      }
      if (g.getToken() != old.getToken() || !g.getActive().equals(old.getActive())) {
        assertThat(c.hasActivate() || c.hasDeactivate()).as("only Activate/Deactivate move a token").isTrue();
        assertThat(g.getToken()).as("the token is the entry's index").isEqualTo(index);
        assertThat(applied.result().getToken()).isEqualTo(index);
        if (c.hasActivate()) {
          assertThat(g.getCurrentRevision()).as("an activation runs the revision it was decided on")
              .isEqualTo(c.getActivate().getExpectedRevision());
        }
      }
    }
    assertThat(after.getGroupsMap().keySet()).as("data only of existing groups")
        .containsAll(after.getGroupDataMap().keySet());
    if (remembered || !ok) {
      assertThat(after.getGroupDataMap()).as("a refusal or a retry changes no data").isEqualTo(before.getGroupDataMap());
    }
    for (String name : before.getGroupsMap().keySet()) {
      if (!after.getGroupsMap().containsKey(name)) {
        assertThat(c.hasDeleteGroup()).isTrue();
        assertThat(before.getGroupsOrThrow(name).getActive()).as("a group with an active is not deleted").isEmpty();
      }
    }
    if (!applied.transitions().isEmpty()) {
      List<Transition> history = after.getGroupsOrThrow(applied.result().getGroup()).getHistoryList();
      assertThat(history.subList(history.size() - applied.transitions().size(), history.size()))
          .isEqualTo(applied.transitions());
    }
  }
}

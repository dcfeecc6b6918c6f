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
            Arbitraries.integers().between(0, 13),
            Arbitraries.integers().between(0, GROUPS.length - 1),
            Arbitraries.integers().between(0, INSTANCES.length - 1),
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 1000),
            Arbitraries.integers().between(0, 6))
        .as(Op::new);
  }

  /** Mostly context writes to group g1, with activations, deactivations and duplicates between them. */
  @Provide
  Arbitrary<Op> contextOps() {
    return Combinators.combine(
            Arbitraries.of(12, 12, 12, 12, 13, 13, 4, 6, 8, 8),
            Arbitraries.just(0),
            Arbitraries.integers().between(0, INSTANCES.length - 1),
            Arbitraries.of(0, 1, 1, 1, 2, 3),
            Arbitraries.integers().between(0, 1000),
            Arbitraries.integers().between(0, 6))
        .as(Op::new);
  }

  @Property(tries = 200)
  void contextInvariantsHoldAndReplayIsDeterministic(
      @ForAll @Size(max = 80) List<@net.jqwik.api.From("contextOps") Op> ops) {
    List<Op> all = new ArrayList<>();
    all.add(new Op(0, 0, 1, 0, 0, 6)); // create g1 with a and b
    all.add(new Op(4, 0, 0, 0, 0, 6)); // activate a
    all.addAll(ops);
    invariantsHoldAndReplayIsDeterministic(all);
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
      if (c.hasContextWrite()) {
        net.jqwik.api.statistics.Statistics.label("context writes").collect(applied.result().getOutcome()
            + (applied.result().getContextResultsList().stream().anyMatch(r -> r.getOutcome() == Outcome.OK)
                ? " with applied ops" : ""));
      }
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
          case 12, 13 -> contextWrite(g, op.tokenMode() == 1 && current != null ? current.getActive() : inst, token,
              200, 600, contextOps(op));
          default -> delivered.isEmpty()
              ? create(g, inst)
              : delivered.get(op.pick() % delivered.size()); // duplicated or late delivery
        };
    if (op.requestId() < 3 && c.hasContextWrite() && op.kind() != 8) {
      return c.toBuilder().setContextWrite(c.getContextWrite().toBuilder().setRequestId("ctx-" + op.requestId())).build();
    }
    return op.requestId() < 3 && op.kind() != 8 ? withRequestId(c, "req-" + op.requestId()) : c;
  }

  /** A few context ops of every kind over a handful of keys, some over the (small) limits. */
  private static io.tandem.proto.state.ContextOp[] contextOps(Op op) {
    String[] scopes = {"global", "flow:f", "node:n:f"};
    int n = 1 + op.pick() % 4;
    io.tandem.proto.state.ContextOp[] out = new io.tandem.proto.state.ContextOp[n];
    for (int i = 0; i < n; i++) {
      int x = op.pick() * 31 + i * 7;
      String scope = scopes[x % 3];
      String key = "k" + (x / 3) % 4;
      out[i] = switch ((x / 12) % 6) {
        case 0 -> set(scope, key, "\"" + "v".repeat(x % 250) + "\"");
        case 1 -> del(scope, key);
        case 2 -> increment(scope, key, (x % 5) - 2);
        case 3 -> cas(scope, key, x % 2 == 0 ? null : "1", String.valueOf(x % 3));
        case 4 -> deleteScope(scope);
        default -> set(scope, key, String.valueOf(x));
      };
    }
    return out;
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
    boolean remembered = RecentRequests.find(before, c.getRequestId()).isPresent()
        || c.hasContextWrite() && ContextOps.remembered(before.getGroupDataMap()
            .getOrDefault(c.getContextWrite().getGroup(), io.tandem.proto.state.GroupData.getDefaultInstance()),
            c.getContextWrite().getRequestId()).isPresent();
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
      if (g.getContextVersion() != old.getContextVersion()) {
        assertThat(c.hasContextWrite() && ok && !remembered).as("only an applied ContextWrite moves the version").isTrue();
        assertThat(g.getContextVersion()).as("the version is the entry's index").isEqualTo(index);
        assertThat(c.getContextWrite().getToken()).as("written under the current token").isEqualTo(old.getToken());
        assertThat(c.getContextWrite().getInstance()).as("by the active").isEqualTo(old.getActive());
        assertThat(applied.result().getPreviousContextVersion()).isEqualTo(old.getContextVersion());
        assertThat(applied.result().getContextResultsCount()).isEqualTo(c.getContextWrite().getOpsCount());
      }
      if (data != null) {
        long bytes = 0;
        for (var scope : data.getContextMap().values()) {
          assertThat(scope.getValuesCount()).as("no empty scope is kept").isPositive();
          for (var kv : scope.getValuesMap().entrySet()) {
            long entry = kv.getKey().length() + kv.getValue().size();
            assertThat(entry).as("within the value limit").isLessThanOrEqualTo(200);
            bytes += entry;
          }
        }
        assertThat(data.getContextBytes()).as("context bytes counted exactly").isEqualTo(bytes);
        assertThat(bytes).as("within the group limit").isLessThanOrEqualTo(600);
        assertThat(data.getRecentContextRequestsCount()).isLessThanOrEqualTo(ContextCommands.REMEMBERED_REQUESTS);
      }
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

package io.tandem.coordinator.state;

import static io.tandem.coordinator.state.TestCommands.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextOpResult;
import io.tandem.proto.state.ContextScope;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContextCommandsTest {
  private TandemState state = TandemState.getDefaultInstance();
  private long index;

  private Applied apply(Command c) {
    Applied a = Applier.apply(state, c, index + 10);
    state = a.state();
    index += 10;
    return a;
  }

  /** Group g with a and b, a active under token 20. */
  @BeforeEach
  void activeGroup() {
    apply(create("g", "a", "b"));
    assertThat(apply(activate("g", "a", 0)).result().getToken()).isEqualTo(20);
  }

  private Applied write(ContextOp... ops) {
    return apply(contextWrite("g", "a", 20, ops));
  }

  private Applied write(Command c) {
    return apply(c);
  }

  private GroupData data() {
    return state.getGroupDataOrDefault("g", GroupData.getDefaultInstance());
  }

  private String value(String scope, String key) {
    ContextScope s = data().getContextMap().get(scope);
    ByteString v = s == null ? null : s.getValuesMap().get(key);
    return v == null ? null : v.toStringUtf8();
  }

  private long version() {
    return state.getGroupsOrThrow("g").getContextVersion();
  }

  /** context_bytes as recomputed from the entries: key + value bytes. */
  private long recount() {
    long n = 0;
    for (ContextScope s : data().getContextMap().values()) {
      for (Map.Entry<String, ByteString> e : s.getValuesMap().entrySet()) {
        n += e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + e.getValue().size();
      }
    }
    return n;
  }

  private static List<Outcome> outcomes(Applied a) {
    return a.result().getContextResultsList().stream().map(ContextOpResult::getOutcome).toList();
  }

  @Test
  void setsAreAppliedInOrderAndTheVersionIsTheEntryIndex() {
    Applied a = write(set("global", "count", "1"), set("flow:f1", "x", "{\"a\":[1,2]}"), set("global", "count", "2"));
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(outcomes(a)).containsExactly(Outcome.OK, Outcome.OK, Outcome.OK);
    assertThat(a.result().getPreviousContextVersion()).isZero();
    assertThat(a.result().getIndex()).isEqualTo(index);
    assertThat(version()).isEqualTo(index);
    assertThat(value("global", "count")).isEqualTo("2");
    assertThat(value("flow:f1", "x")).isEqualTo("{\"a\":[1,2]}");
    assertThat(data().getContextBytes()).isEqualTo(recount()).isEqualTo("count".length() + 1 + 1 + "{\"a\":[1,2]}".length());
    assertThat(state.getGroupsOrThrow("g").getToken()).as("context writes move no token").isEqualTo(20);
    assertThat(a.transitions()).as("not a decision: no history").isEmpty();

    long first = version();
    Applied b = write(del("global", "count"));
    assertThat(b.result().getPreviousContextVersion()).isEqualTo(first);
    assertThat(version()).isEqualTo(index).isGreaterThan(first);
  }

  @Test
  void staleTokenIsRefusedWholeAndChangesNothing() {
    write(set("global", "k", "1"));
    TandemState before = state;
    Applied a = apply(contextWrite("g", "a", 19, set("global", "k", "2"), increment("global", "n", 1)));
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.STALE_TOKEN);
    assertThat(a.result().getMessage()).contains("token 19 is not the group's current token 20");
    assertThat(a.result().getContextResultsList()).as("no per-op results when refused whole").isEmpty();
    assertThat(a.result().getActive()).isEqualTo("a");
    assertThat(a.result().getToken()).isEqualTo(20);
    assertThat(a.result().getPreviousContextVersion()).isEqualTo(before.getGroupsOrThrow("g").getContextVersion());
    assertThat(state.getGroupsMap()).isEqualTo(before.getGroupsMap());
    assertThat(state.getGroupDataMap()).isEqualTo(before.getGroupDataMap());
  }

  @Test
  void anInstanceThatIsNotTheActiveIsRefusedEvenWithTheCurrentToken() {
    TandemState before = state;
    Applied a = apply(contextWrite("g", "b", 20, set("global", "k", "1")));
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.STALE_TOKEN);
    assertThat(a.result().getMessage()).contains("\"b\" is not the active instance (the active is \"a\")");
    Applied noInstance = apply(contextWrite("g", "", 20, set("global", "k", "1")));
    assertThat(noInstance.result().getOutcome()).isEqualTo(Outcome.STALE_TOKEN);
    assertThat(state.getGroupsMap()).isEqualTo(before.getGroupsMap());
    assertThat(state.getGroupDataMap()).isEqualTo(before.getGroupDataMap());
  }

  @Test
  void aGroupWithoutActiveOrUnknownRefusesWrites() {
    apply(deactivate("g", 20));
    long token = state.getGroupsOrThrow("g").getToken();
    Applied a = apply(contextWrite("g", "a", token, set("global", "k", "1")));
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.STALE_TOKEN);
    assertThat(a.result().getMessage()).contains("has no active instance");
    assertThat(apply(contextWrite("nope", "a", 20, set("global", "k", "1"))).result().getOutcome())
        .isEqualTo(Outcome.NOT_FOUND);
    assertThat(data().getContextMap()).isEmpty();
  }

  @Test
  void deleteOfAbsentKeyIsOkAndDeleteRemovesEntryAndEmptyScope() {
    write(set("flow:f1", "a", "\"x\""), set("flow:f1", "b", "true"));
    Applied a = write(del("flow:f1", "a"), del("flow:f1", "missing"), del("flow:nope", "k"));
    assertThat(outcomes(a)).containsExactly(Outcome.OK, Outcome.OK, Outcome.OK);
    assertThat(value("flow:f1", "a")).isNull();
    assertThat(value("flow:f1", "b")).isEqualTo("true");
    assertThat(data().getContextBytes()).isEqualTo(recount()).isEqualTo(1 + 4);
    write(del("flow:f1", "b"));
    assertThat(data().getContextMap()).as("a scope without keys is dropped").doesNotContainKey("flow:f1");
    assertThat(data().getContextBytes()).isZero();
  }

  @Test
  void deleteScopeRemovesEveryKeyOfThatScopeOnly() {
    write(set("node:n1:f1", "a", "1"), set("node:n1:f1", "b", "22"), set("node:n2:f1", "a", "333"));
    Applied a = write(deleteScope("node:n1:f1"), deleteScope("node:absent:f1"));
    assertThat(outcomes(a)).containsExactly(Outcome.OK, Outcome.OK);
    assertThat(data().getContextMap()).containsOnlyKeys("node:n2:f1");
    assertThat(data().getContextBytes()).isEqualTo(recount()).isEqualTo(1 + 3);
    assertThat(ContextOps.effects(contextWrite("g", "a", 20, deleteScope("node:n1:f1"), deleteScope("node:absent:f1"))
        .getContextWrite(), a.result().getContextResultsList()))
        .extracting(ContextOp::getKind).containsExactly(ContextOp.Kind.DELETE_SCOPE, ContextOp.Kind.DELETE_SCOPE);
  }

  @Test
  void incrementStartsFromZeroAndWritesIntegralResultsWithoutAFraction() {
    Applied a = write(increment("global", "n", 1), increment("global", "n", 41), increment("global", "f", 0.5),
        increment("global", "f", 0.25));
    assertThat(outcomes(a)).containsOnly(Outcome.OK);
    assertThat(a.result().getContextResults(0).getValue().toStringUtf8()).isEqualTo("1");
    assertThat(a.result().getContextResults(1).getValue().toStringUtf8()).isEqualTo("42");
    assertThat(a.result().getContextResults(3).getValue().toStringUtf8()).isEqualTo("0.75");
    assertThat(value("global", "n")).isEqualTo("42");
    write(set("global", "d", "2.5e1"), set("global", "neg", "-3"));
    Applied b = write(increment("global", "d", 1), increment("global", "neg", -0.5), increment("global", "n", -42));
    assertThat(b.result().getContextResultsList()).extracting(r -> r.getValue().toStringUtf8())
        .containsExactly("26", "-3.5", "0");
    assertThat(data().getContextBytes()).isEqualTo(recount());
  }

  @Test
  void incrementOfANonNumberFailsAloneAndLeavesTheValue() {
    write(set("global", "s", "\"7\""), set("global", "o", "{\"n\":1}"), set("global", "sp", " 5 "));
    Applied a = write(increment("global", "s", 1), increment("global", "o", 1), increment("global", "sp", 1),
        set("global", "after", "1"));
    assertThat(outcomes(a)).containsExactly(Outcome.INVALID, Outcome.INVALID, Outcome.OK, Outcome.OK);
    assertThat(a.result().getContextResults(0).getMessage())
        .isEqualTo("context value global/s is a string, not a number: increment refused");
    assertThat(a.result().getContextResults(1).getMessage()).contains("is an object, not a number");
    assertThat(value("global", "s")).isEqualTo("\"7\"");
    assertThat(value("global", "sp")).isEqualTo("6");
    assertThat(value("global", "after")).isEqualTo("1");
    assertThat(version()).as("not refused whole: the version moves").isEqualTo(index);
  }

  @Test
  void compareAndSetWinsOnByteEqualExpectedAndLosesOtherwiseWithTheCurrentValue() {
    Applied a = write(cas("global", "lock", null, "\"a\""), cas("global", "lock", null, "\"b\""),
        cas("global", "lock", "\"x\"", "\"c\""), cas("global", "lock", "\"a\"", "\"d\""),
        cas("global", "absent", "1", "2"));
    assertThat(outcomes(a)).containsExactly(Outcome.OK, Outcome.FAILED_PRECONDITION, Outcome.FAILED_PRECONDITION,
        Outcome.OK, Outcome.FAILED_PRECONDITION);
    List<ContextOpResult> r = a.result().getContextResultsList();
    assertThat(r.get(0).getValue().toStringUtf8()).isEqualTo("\"a\"");
    assertThat(r.get(1).getValue().toStringUtf8()).as("lost: the current value").isEqualTo("\"a\"");
    assertThat(r.get(1).getMessage()).isEqualTo("compare-and-set of global/lock lost: the key already has a value");
    assertThat(r.get(2).getMessage()).contains("the current value is different");
    assertThat(r.get(3).getValue().toStringUtf8()).isEqualTo("\"d\"");
    assertThat(r.get(4).getValue()).as("absent: empty").isEmpty();
    assertThat(r.get(4).getMessage()).contains("the key is absent");
    assertThat(value("global", "lock")).isEqualTo("\"d\"");
    assertThat(value("global", "absent")).isNull();
    write(set("global", "sp", "{\"a\":1}"));
    assertThat(outcomes(write(cas("global", "sp", "{\"a\": 1}", "2")))).as("byte-equal, not JSON-equal")
        .containsExactly(Outcome.FAILED_PRECONDITION);
  }

  @Test
  void valueOverTheLimitFailsAloneWhileTheOthersApply() {
    String big = "\"" + "x".repeat(200) + "\"";
    Applied a = apply(contextWrite("g", "a", 20, 100, 10_000,
        set("global", "small", "1"), set("global", "big", big), set("global", "small2", "2")));
    assertThat(outcomes(a)).containsExactly(Outcome.OK, Outcome.INVALID, Outcome.OK);
    assertThat(a.result().getContextResults(1).getMessage())
        .isEqualTo("context value global/big is 205 bytes, over the limit of 100 bytes (context.maxValueBytes)");
    assertThat(value("global", "big")).isNull();
    assertThat(value("global", "small2")).isEqualTo("2");
    assertThat(data().getContextBytes()).isEqualTo(recount());
    String mb = "\"" + "y".repeat(2_200_000) + "\"";
    Applied b = apply(contextWrite("g", "a", 20, 1024 * 1024, 32L * 1024 * 1024, set("global", "big", mb)));
    assertThat(b.result().getContextResults(0).getMessage())
        .isEqualTo("context value global/big is 2.1 MB, over the limit of 1 MB (context.maxValueBytes)");
  }

  @Test
  void groupLimitFailsTheOpThatWouldPassItWhileSmallerOrShrinkingOpsApply() {
    String v40 = "\"" + "x".repeat(38) + "\"";  // key "kN" (2) + 40 = 42 bytes each
    Applied a = apply(contextWrite("g", "a", 20, 1000, 100,
        set("global", "k1", v40), set("global", "k2", v40), set("global", "k3", v40), set("global", "k4", "1")));
    assertThat(outcomes(a)).containsExactly(Outcome.OK, Outcome.OK, Outcome.INVALID, Outcome.OK);
    assertThat(a.result().getContextResults(2).getMessage()).isEqualTo("context value global/k3 (42 bytes) would bring"
        + " the context of group \"g\" to 126 bytes, over the limit of 100 bytes (context.maxGroupBytes)");
    assertThat(data().getContextBytes()).isEqualTo(recount()).isEqualTo(42 + 42 + 3);
    // the bound lowered below the group's size: a shrinking overwrite still applies, a growing one not
    Applied b = apply(contextWrite("g", "a", 20, 1000, 50, set("global", "k1", "2"), set("global", "k4", "12345")));
    assertThat(outcomes(b)).containsExactly(Outcome.OK, Outcome.INVALID);
    assertThat(data().getContextBytes()).isEqualTo(recount()).isEqualTo(3 + 42 + 3);
  }

  @Test
  void bytesFollowOverwritesDeletesAndDeleteScope() {
    write(set("global", "k", "\"12345\""), set("flow:f", "é", "1"), set("flow:f", "b", "[]"));
    assertThat(data().getContextBytes()).isEqualTo(recount()).isEqualTo(1 + 7 + 2 + 1 + 1 + 2);
    write(set("global", "k", "1"));
    assertThat(data().getContextBytes()).isEqualTo(recount()).isEqualTo(2 + 3 + 3);
    write(del("global", "k"), increment("flow:f", "n", 5));
    assertThat(data().getContextBytes()).isEqualTo(recount()).isEqualTo(3 + 3 + 2);
    write(deleteScope("flow:f"));
    assertThat(data().getContextBytes()).isZero();
    assertThat(data().getContextMap()).isEmpty();
  }

  @Test
  void anEmptyWriteOfTheActiveMovesOnlyTheVersion() {
    write(set("global", "k", "1"));
    GroupData before = data();
    long from = version();
    Applied a = write();
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(a.result().getContextResultsList()).isEmpty();
    assertThat(a.result().getPreviousContextVersion()).isEqualTo(from);
    assertThat(version()).isEqualTo(index);
    assertThat(data()).isEqualTo(before);
  }

  @Test
  void malformedOpsFailAlone() {
    ContextOp noKind = ContextOp.newBuilder().setScope("global").setKey("k").build();
    Applied a = write(set("flows:x", "k", "1"), set("global", "", "1"), noKind,
        ContextOp.newBuilder().setKind(ContextOp.Kind.DELETE_SCOPE).setScope("global").setKey("k").build(),
        increment("global", "n", Double.NaN), set("global", "ok", "1"));
    assertThat(outcomes(a)).containsExactly(Outcome.INVALID, Outcome.INVALID, Outcome.INVALID, Outcome.INVALID,
        Outcome.INVALID, Outcome.OK);
    assertThat(a.result().getContextResults(0).getMessage()).isEqualTo("scope \"flows:x\" is not global, flow:ID or node:ID");
    assertThat(data().getContextMap()).containsOnlyKeys("global");
    assertThat(value("global", "ok")).isEqualTo("1");
  }

  @Test
  void effectsAreAppliedOpsAsSetDeleteAndDeleteScope() {
    write(set("global", "s", "\"str\""));
    Command c = contextWrite("g", "a", 20, set("global", "a", "1"), increment("global", "n", 2),
        increment("global", "s", 1), cas("global", "c", null, "true"), del("global", "a"), deleteScope("flow:f"));
    Applied a = apply(c);
    List<ContextOp> effects = ContextOps.effects(c.getContextWrite(), a.result().getContextResultsList());
    assertThat(effects).extracting(ContextOp::getKind).containsExactly(ContextOp.Kind.SET, ContextOp.Kind.SET,
        ContextOp.Kind.SET, ContextOp.Kind.DELETE, ContextOp.Kind.DELETE_SCOPE);
    assertThat(effects.get(1).getValue().toStringUtf8()).as("an increment as its result").isEqualTo("2");
    assertThat(effects.get(2).getKey()).isEqualTo("c");
  }

  @Test
  void deleteGroupDropsItsContextAndARecreatedGroupStartsEmpty() {
    write(set("global", "k", "1"));
    assertThat(state.getGroupDataMap()).containsKey("g");
    apply(deactivate("g", 20));
    assertThat(apply(delete("g")).result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(state.getGroupDataMap()).doesNotContainKey("g");
    apply(create("g", "a"));
    assertThat(state.getGroupsOrThrow("g").getContextVersion()).isZero();
    assertThat(data().getContextMap()).isEmpty();
  }

  private static Command withContextRequestId(Command c, String id) {
    return c.toBuilder().setContextWrite(c.getContextWrite().toBuilder().setRequestId(id)).build();
  }

  @Test
  void aRetriedRequestIdReturnsTheFirstResultAndAppliesNothingTwice() {
    Command c = withContextRequestId(contextWrite("g", "a", 20, increment("global", "n", 1)), "r1");
    Applied first = apply(c);
    Applied again = apply(c);
    assertThat(again.result()).isEqualTo(first.result());
    assertThat(value("global", "n")).isEqualTo("1");
    assertThat(version()).isEqualTo(first.result().getIndex());
    assertThat(state.getRecentRequestsList()).as("not in the admin writes' FIFO").isEmpty();
    // also after the token moved: it was applied, the first answer stands
    apply(activate("g", "b", 20));
    assertThat(apply(c).result()).isEqualTo(first.result());
    assertThat(value("global", "n")).isEqualTo("1");
  }

  @Test
  void theGroupRemembersTheLastSixteenRequestIds() {
    for (int i = 0; i < ContextCommands.REMEMBERED_REQUESTS + 4; i++) {
      write(withContextRequestId(contextWrite("g", "a", 20, increment("global", "n", 1)), "id" + i));
    }
    assertThat(data().getRecentContextRequestsList()).hasSize(ContextCommands.REMEMBERED_REQUESTS);
    assertThat(data().getRecentContextRequests(0).getRequestId()).isEqualTo("id4");
    write(withContextRequestId(contextWrite("g", "a", 20, increment("global", "n", 1)), "id4"));
    assertThat(value("global", "n")).as("id4 still remembered").isEqualTo("20");
    write(withContextRequestId(contextWrite("g", "a", 20, increment("global", "n", 1)), "id0"));
    assertThat(value("global", "n")).as("id0 forgotten: applied again").isEqualTo("21");
  }

  @Test
  void contextSurvivesTheSnapshotCodec() {
    write(set("global", "k", "{\"deep\":[1,2,3]}"), set("node:n:f", "x", "null"));
    TandemState back = SnapshotCodec.decode(SnapshotCodec.encode(state));
    assertThat(back.getGroupDataMap()).isEqualTo(state.getGroupDataMap());
    assertThat(back.getGroupsOrThrow("g").getContextVersion()).isEqualTo(version());
  }
}

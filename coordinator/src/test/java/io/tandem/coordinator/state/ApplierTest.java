package io.tandem.coordinator.state;

import static io.tandem.coordinator.state.TestCommands.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.proto.state.Command;
import io.tandem.proto.state.CreateGroup;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApplierTest {
  private TandemState state = TandemState.getDefaultInstance();
  private long index;

  private Applied apply(Command c) {
    return applyAt(c, index + 10);
  }

  private Applied applyAt(Command c, long at) {
    Applied a = Applier.apply(state, c, at);
    state = a.state();
    index = at;
    assertThat(state.getLastAppliedIndex()).isEqualTo(at);
    return a;
  }

  private Group group(String name) {
    return state.getGroupsOrThrow(name);
  }

  /** Applies {@code c}, asserts the refusal and that no group changed. */
  private Applied refused(Command c, Outcome outcome, String messagePart) {
    TandemState before = state;
    Applied a = apply(c);
    assertThat(a.result().getOutcome()).isEqualTo(outcome);
    assertThat(a.result().getMessage()).contains(messagePart);
    assertThat(a.result().getIndex()).isEqualTo(index);
    assertThat(a.transitions()).isEmpty();
    assertThat(state.getGroupsMap()).isEqualTo(before.getGroupsMap());
    return a;
  }

  @Test
  void createGroupStartsWithTokenZeroAndNoActive() {
    Applied a = applyAt(create("line1", "a", "b"), 7);
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(a.result().getGroup()).isEqualTo("line1");
    assertThat(a.result().getIndex()).isEqualTo(7);
    Group g = group("line1");
    assertThat(g.getActive()).isEmpty();
    assertThat(g.getToken()).isZero();
    assertThat(g.getCreatedIndex()).isEqualTo(7);
    assertThat(g.getInstancesList()).extracting(InstanceSpec::getId).containsExactly("a", "b");
    assertThat(g.getHistoryList()).extracting(Transition::getKind).containsExactly(TransitionKind.GROUP_CREATED);
    assertThat(a.transitions()).containsExactlyElementsOf(g.getHistoryList());
    assertThat(a.transitions().get(0).getAtUnixMillis()).isEqualTo(STAMP);
  }

  @Test
  void createRefusesDuplicatesAndBadNames() {
    apply(create("g", "a"));
    refused(create("g", "b"), Outcome.ALREADY_EXISTS, "already exists");
    refused(create("bad name", "a"), Outcome.INVALID, "group name");
    refused(create("", "a"), Outcome.INVALID, "missing");
    refused(create("x".repeat(65), "a"), Outcome.INVALID, "too long");
    refused(create("h", "a/b"), Outcome.INVALID, "instance id");
    refused(create("h", "a", "a"), Outcome.INVALID, "appears twice");
    assertThat(state.getGroupsMap()).containsOnlyKeys("g");
    assertThat(apply(create("x".repeat(64) , "A-z_0.9")).result().getOutcome()).isEqualTo(Outcome.OK);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "ä", "a:b", "a\nb", "*", "line/1"})
  void namesRefuseCharactersOutsideTheAllowedSet(String name) {
    assertThat(Names.groupProblem(name)).isPresent();
    assertThat(Names.instanceProblem(name)).get().asString().contains("instance id");
  }

  @Test
  void deleteGroup() {
    refused(delete("nope"), Outcome.NOT_FOUND, "does not exist");
    apply(create("g", "a", "b"));
    apply(activate("g", "a", 0));
    refused(delete("g"), Outcome.FAILED_PRECONDITION, "active instance \"a\"");
    apply(deactivate("g", group("g").getToken()));
    Applied a = apply(delete("g"));
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(state.getGroupsMap()).isEmpty();
  }

  @Test
  void addInstance() {
    refused(add("nope", "c"), Outcome.NOT_FOUND, "does not exist");
    apply(create("g", "a"));
    Applied a = apply(add("g", "c"));
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(group("g").getInstancesList()).extracting(InstanceSpec::getId).containsExactly("a", "c");
    assertThat(a.transitions()).singleElement().satisfies(t -> {
      assertThat(t.getKind()).isEqualTo(TransitionKind.INSTANCE_ADDED);
      assertThat(t.getToInstance()).isEqualTo("c");
    });
    refused(add("g", "c"), Outcome.ALREADY_EXISTS, "already a member");
    refused(add("g", "c d"), Outcome.INVALID, "instance id");
  }

  @Test
  void removeInstanceIsRefusedForTheActive() {
    apply(create("g", "a", "b", "c"));
    apply(activate("g", "a", 0));
    Applied r = refused(remove("g", "a"), Outcome.FAILED_PRECONDITION, "is the active instance");
    assertThat(r.result().getActive()).isEqualTo("a");
    refused(remove("g", "zz"), Outcome.NOT_FOUND, "not a member");
    refused(remove("nope", "a"), Outcome.NOT_FOUND, "does not exist");
    Applied ok = apply(remove("g", "b"));
    assertThat(ok.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(ok.transitions()).singleElement().extracting(Transition::getKind).isEqualTo(TransitionKind.INSTANCE_REMOVED);
    assertThat(group("g").getInstancesList()).extracting(InstanceSpec::getId).containsExactly("a", "c");
  }

  @Test
  void activateSetsActiveAndTokenToTheEntrysIndex() {
    apply(create("g", "a", "b"));
    Applied a = applyAt(activate("g", "a", 0), 42);
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(a.result().getActive()).isEqualTo("a");
    assertThat(a.result().getToken()).isEqualTo(42);
    assertThat(a.result().getIndex()).isEqualTo(42);
    assertThat(group("g").getActive()).isEqualTo("a");
    assertThat(group("g").getToken()).isEqualTo(42);
    Transition t = a.transitions().get(0);
    assertThat(t.getKind()).isEqualTo(TransitionKind.ACTIVATED);
    assertThat(t.getFromInstance()).isEmpty();
    assertThat(t.getToInstance()).isEqualTo("a");
    assertThat(t.getToken()).isEqualTo(42);
    assertThat(t.getIndex()).isEqualTo(42);
    assertThat(t.getReason()).isEqualTo("test activates a");
    assertThat(t.getAtUnixMillis()).isEqualTo(STAMP);
    assertThat(group("g").getHistoryList()).last().isEqualTo(t);

    Applied b = applyAt(activate("g", "b", 42), 50);
    assertThat(b.transitions().get(0).getFromInstance()).isEqualTo("a");
    assertThat(group("g").getToken()).isEqualTo(50);
    // Re-activating the same instance is a new grant under a new token.
    applyAt(activate("g", "b", 50), 51);
    assertThat(group("g").getActive()).isEqualTo("b");
    assertThat(group("g").getToken()).isEqualTo(51);
  }

  @Test
  void staleTokenIsRefusedAndChangesNothing() {
    apply(create("g", "a", "b"));
    applyAt(activate("g", "a", 0), 100);
    Applied stale = refused(activate("g", "b", 0), Outcome.STALE_TOKEN, "token 100");
    assertThat(stale.result().getActive()).isEqualTo("a");
    assertThat(stale.result().getToken()).isEqualTo(100);
    refused(activate("g", "b", 99), Outcome.STALE_TOKEN, "expected token 99");
    refused(deactivate("g", 0), Outcome.STALE_TOKEN, "not at the expected token 0");
    assertThat(group("g").getActive()).isEqualTo("a");
  }

  @Test
  void activateRefusals() {
    refused(activate("nope", "a", 0), Outcome.NOT_FOUND, "does not exist");
    refused(activate("bad name", "a", 0), Outcome.INVALID, "group name");
    apply(create("g", "a"));
    refused(activate("g", "zz", 0), Outcome.NOT_FOUND, "not a member");
    refused(activate("g", "", 0), Outcome.INVALID, "instance id is missing");
    refused(deactivate("nope", 0), Outcome.NOT_FOUND, "does not exist");
  }

  @Test
  void deactivateLeavesNoActiveUnderANewToken() {
    apply(create("g", "a"));
    applyAt(activate("g", "a", 0), 20);
    Applied d = applyAt(deactivate("g", 20), 30);
    assertThat(d.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(d.result().getActive()).isEmpty();
    assertThat(d.result().getToken()).isEqualTo(30);
    assertThat(group("g").getActive()).isEmpty();
    assertThat(group("g").getToken()).isEqualTo(30);
    assertThat(d.transitions()).singleElement().satisfies(t -> {
      assertThat(t.getKind()).isEqualTo(TransitionKind.DEACTIVATED);
      assertThat(t.getFromInstance()).isEqualTo("a");
      assertThat(t.getToken()).isEqualTo(30);
    });
  }

  @Test
  void maintenanceIsIdempotentAndKeepsTheToken() {
    refused(maintenance("nope", true), Outcome.NOT_FOUND, "does not exist");
    apply(create("g", "a"));
    applyAt(activate("g", "a", 0), 30);
    Applied on = apply(maintenance("g", true));
    assertThat(on.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(on.transitions()).extracting(Transition::getKind).containsExactly(TransitionKind.MAINTENANCE_ON);
    assertThat(group("g").getMaintenance()).isTrue();
    assertThat(group("g").getToken()).isEqualTo(30);
    int historyBefore = group("g").getHistoryCount();
    Applied again = apply(maintenance("g", true));
    assertThat(again.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(again.result().getMessage()).contains("already on");
    assertThat(again.transitions()).isEmpty();
    assertThat(group("g").getHistoryCount()).isEqualTo(historyBefore);
    Applied off = apply(maintenance("g", false));
    assertThat(off.transitions()).extracting(Transition::getKind).containsExactly(TransitionKind.MAINTENANCE_OFF);
    assertThat(group("g").getMaintenance()).isFalse();
  }

  @Test
  void retriedRequestIdReturnsTheFirstResultWithoutApplyingAgain() {
    apply(create("g", "a", "b"));
    Command first = withRequestId(activate("g", "a", 0), "req-1");
    Applied a = applyAt(first, 20);
    Applied retry = applyAt(first, 21);
    assertThat(retry.result()).isEqualTo(a.result());
    assertThat(retry.result().getIndex()).isEqualTo(20);
    assertThat(retry.transitions()).isEmpty();
    assertThat(group("g").getToken()).isEqualTo(20);
    assertThat(state.getLastAppliedIndex()).isEqualTo(21);
    // A remembered refusal is returned as well, even after the state would now allow it.
    Applied refusedOnce = apply(withRequestId(add("g", "a"), "req-2"));
    assertThat(refusedOnce.result().getOutcome()).isEqualTo(Outcome.ALREADY_EXISTS);
    apply(remove("g", "b"));
    Applied again = apply(withRequestId(add("g", "b"), "req-2"));
    assertThat(again.result()).isEqualTo(refusedOnce.result());
    assertThat(group("g").getInstancesCount()).isEqualTo(1);
  }

  @Test
  void rememberedRequestsAreBoundedOldestForgottenFirst() {
    apply(create("g"));
    for (int i = 0; i < RecentRequests.LIMIT + 1; i++) {
      apply(withRequestId(maintenance("g", i % 2 == 0), "r" + i));
    }
    assertThat(state.getRecentRequestsCount()).isEqualTo(RecentRequests.LIMIT);
    assertThat(state.getRecentRequests(0).getRequestId()).isEqualTo("r1");
    // "r0" is forgotten: applying it again really applies it.
    Applied r0 = apply(withRequestId(add("g", "x"), "r0"));
    assertThat(r0.result().getIndex()).isEqualTo(index);
    assertThat(group("g").getInstancesList()).extracting(InstanceSpec::getId).containsExactly("x");
  }

  @Test
  void historyKeepsTheNewestHundred() {
    apply(create("g", "a", "b"));
    for (int i = 0; i < 150; i++) {
      apply(activate("g", i % 2 == 0 ? "a" : "b", group("g").getToken()));
    }
    Group g = group("g");
    assertThat(g.getHistoryCount()).isEqualTo(Groups.HISTORY_LIMIT);
    assertThat(g.getHistoryList()).last().extracting(Transition::getToken).isEqualTo(g.getToken());
    assertThat(g.getHistoryList()).allMatch(t -> t.getKind() == TransitionKind.ACTIVATED);
    assertThat(g.getHistoryList()).extracting(Transition::getIndex).isSorted();
  }

  @Test
  void commandWithoutBodyIsRefusedAsInvalid() {
    apply(create("g", "a"));
    refused(Command.newBuilder().setRequestId("r").build(), Outcome.INVALID, "no body");
  }

  @Test
  void applyingOutOfOrderIsABug() {
    applyAt(create("g"), 5);
    assertThatThrownBy(() -> Applier.apply(state, create("h"), 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of order");
  }

  @Test
  void createGroupKeepsInstanceFlags() {
    InstanceSpec spare = InstanceSpec.newBuilder().setId("spare").setPriority(-3).setNoFailover(true).build();
    apply(Command.newBuilder().setCreateGroup(CreateGroup.newBuilder().setGroup("g").addInstances(spare)).build());
    assertThat(Groups.instance(group("g"), "spare")).contains(spare);
    assertThat(Groups.instance(group("g"), "other")).isEmpty();
  }
}

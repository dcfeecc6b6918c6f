package io.tandem.coordinator.state;

import static io.tandem.coordinator.state.TestCommands.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.proto.state.Command;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.Lock;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import org.junit.jupiter.api.Test;

class LockCommandsTest {
  private TandemState state = TandemState.getDefaultInstance();
  private long index;

  private Applied apply(Command c) {
    index += 3;
    Applied a = Applier.apply(state, c, index);
    state = a.state();
    return a;
  }

  private Applied refused(Command c, Outcome outcome, String part) {
    TandemState before = state;
    Applied a = apply(c);
    assertThat(a.result().getOutcome()).isEqualTo(outcome);
    assertThat(a.result().getMessage()).contains(part);
    assertThat(a.transitions()).isEmpty();
    assertThat(state.getGroupsMap()).isEqualTo(before.getGroupsMap());
    return a;
  }

  private Group g() {
    return state.getGroupsOrThrow("g");
  }

  @Test
  void allActiveGroupTakesItsCreationIndexAsTokenForever() {
    long created = apply(createAllActive("g", "a", "b")).result().getIndex();
    assertThat(g().getMode()).isEqualTo(GroupMode.ALL_ACTIVE);
    assertThat(g().getToken()).isEqualTo(created);
    assertThat(g().getActive()).isEmpty();
    refused(activate("g", "a", created), Outcome.FAILED_PRECONDITION, "all-active");
    refused(deactivate("g", created), Outcome.FAILED_PRECONDITION, "all-active");
    apply(acquire("g", "k", "a", 0));
    assertThat(g().getToken()).isEqualTo(created);
  }

  @Test
  void activeStandbyIsTheDefaultAndRefusesLocks() {
    apply(create("g", "a", "b"));
    assertThat(g().getMode()).isEqualTo(GroupMode.ACTIVE_STANDBY);
    refused(acquire("g", "k", "a", 0), Outcome.FAILED_PRECONDITION, "active-standby");
  }

  @Test
  void acquireIsCompareAndSetAndTheTokenIsTheEntryIndex() {
    apply(createAllActive("g", "a", "b"));
    Applied first = apply(acquire("g", "poll", "a", 0));
    assertThat(first.result().getOutcome()).isEqualTo(Outcome.OK);
    Lock l = g().getLocks(0);
    assertThat(l.getHolder()).isEqualTo("a");
    assertThat(l.getToken()).isEqualTo(index);
    assertThat(l.getAcquiredUnixMillis()).isEqualTo(STAMP);
    Transition t = first.transitions().get(0);
    assertThat(t.getKind()).isEqualTo(TransitionKind.LOCK_ACQUIRED);
    assertThat(t.getLock()).isEqualTo("poll");
    assertThat(t.getToken()).isEqualTo(index);
    assertThat(t.getToInstance()).isEqualTo("a");
    assertThat(g().getHistoryList()).contains(t);

    long token = l.getToken();
    refused(acquire("g", "poll", "b", 0), Outcome.STALE_TOKEN, "held by \"a\"");
    Applied handover = apply(acquire("g", "poll", "b", token));
    assertThat(handover.transitions().get(0).getFromInstance()).isEqualTo("a");
    assertThat(g().getLocks(0).getHolder()).isEqualTo("b");
    assertThat(g().getLocks(0).getToken()).isGreaterThan(token);
    refused(acquire("g", "poll", "a", token), Outcome.STALE_TOKEN, "not at the expected token");
  }

  @Test
  void locksStaySortedByKey() {
    apply(createAllActive("g", "a"));
    for (String k : new String[] {"m", "a/1", "z:2", "b.c", "A-9"}) {
      apply(acquire("g", k, "a", 0));
    }
    assertThat(g().getLocksList()).extracting(Lock::getKey).containsExactly("A-9", "a/1", "b.c", "m", "z:2");
  }

  @Test
  void badKeysNonMembersAndUnknownGroupsAreRefused() {
    apply(createAllActive("g", "a"));
    refused(acquire("g", "", "a", 0), Outcome.INVALID, "missing");
    refused(acquire("g", "a b", "a", 0), Outcome.INVALID, "invalid");
    refused(acquire("g", "x".repeat(129), "a", 0), Outcome.INVALID, "too long");
    refused(acquire("g", "k", "zz", 0), Outcome.NOT_FOUND, "not a member");
    refused(acquire("nope", "k", "a", 0), Outcome.NOT_FOUND, "does not exist");
    assertThat(apply(acquire("g", "x".repeat(128), "a", 0)).result().getOutcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void atMost1024Keys() {
    apply(createAllActive("g", "a"));
    for (int i = 0; i < LockCommands.MAX_KEYS; i++) {
      assertThat(apply(acquire("g", "k" + i, "a", 0)).result().getOutcome()).isEqualTo(Outcome.OK);
    }
    refused(acquire("g", "one-more", "a", 0), Outcome.FAILED_PRECONDITION, "1024");
    long t = g().getLocks(LockCommands.find(g(), "k7")).getToken();
    assertThat(apply(acquire("g", "k7", "a", t)).result().getOutcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void releaseIsCompareAndSetOnTokenAndHolder() {
    apply(createAllActive("g", "a", "b"));
    apply(acquire("g", "k", "a", 0));
    long token = g().getLocks(0).getToken();
    refused(releaseLock("g", "k", token + 1, "a"), Outcome.STALE_TOKEN, "not held");
    refused(releaseLock("g", "k", token, "b"), Outcome.STALE_TOKEN, "not held by \"b\"");
    refused(releaseLock("g", "other", token, "a"), Outcome.NOT_FOUND, "no lock");
    Applied r = apply(releaseLock("g", "k", token, "a"));
    assertThat(r.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(r.transitions().get(0).getKind()).isEqualTo(TransitionKind.LOCK_RELEASED);
    assertThat(r.transitions().get(0).getFromInstance()).isEqualTo("a");
    assertThat(g().getLocks(0).getHolder()).isEmpty();
    assertThat(g().getLocks(0).getToken()).isEqualTo(token);
    refused(releaseLock("g", "k", token, ""), Outcome.STALE_TOKEN, "free");
    // a free key is taken again on its last token
    apply(acquire("g", "k", "b", token));
    assertThat(g().getLocks(0).getHolder()).isEqualTo("b");
    // the keeper's release names no instance
    assertThat(apply(releaseLock("g", "k", g().getLocks(0).getToken(), "")).result().getOutcome())
        .isEqualTo(Outcome.OK);
  }

  @Test
  void removingAnInstanceFreesItsLocks() {
    apply(createAllActive("g", "a", "b"));
    apply(acquire("g", "k1", "a", 0));
    apply(acquire("g", "k2", "b", 0));
    apply(acquire("g", "k3", "a", 0));
    Applied r = apply(remove("g", "a"));
    assertThat(r.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(r.transitions()).extracting(Transition::getKind)
        .containsExactly(TransitionKind.LOCK_RELEASED, TransitionKind.LOCK_RELEASED, TransitionKind.INSTANCE_REMOVED);
    assertThat(g().getLocksList()).extracting(Lock::getHolder).containsExactly("", "b", "");
  }

  @Test
  void deployInAllActiveComesFromAMemberUnderTheGroupToken() {
    long created = apply(createAllActive("g", "a", "b")).result().getIndex();
    refused(deployFrom("zz", "g", created, 0, "[1]"), Outcome.STALE_TOKEN, "not a member");
    refused(deploy("g", created, 0, "[1]"), Outcome.STALE_TOKEN, "names no instance");
    refused(deployFrom("a", "g", created + 1, 0, "[1]"), Outcome.STALE_TOKEN, "not the token");
    Applied ok = apply(deployFrom("b", "g", created, 0, "[1]"));
    assertThat(ok.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(g().getCurrentRevision()).isEqualTo(index);
  }

  @Test
  void snapshotRoundTripKeepsLocks() {
    apply(createAllActive("g", "a", "b"));
    apply(acquire("g", "k1", "a", 0));
    apply(acquire("g", "k2", "b", 0));
    apply(releaseLock("g", "k2", g().getLocks(1).getToken(), "b"));
    TandemState back = SnapshotCodec.decode(SnapshotCodec.encode(state));
    assertThat(back).isEqualTo(state);
    assertThat(back.getGroupsOrThrow("g").getLocksList()).isEqualTo(g().getLocksList());
    assertThat(back.getGroupsOrThrow("g").getMode()).isEqualTo(GroupMode.ALL_ACTIVE);
  }
}

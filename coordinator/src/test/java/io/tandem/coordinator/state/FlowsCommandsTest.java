package io.tandem.coordinator.state;

import static io.tandem.coordinator.state.TestCommands.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.EditorDataKind;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FlowsCommandsTest {
  private TandemState state = TandemState.getDefaultInstance();
  private long index;

  private Applied apply(Command c) {
    return applyAt(c, index + 10);
  }

  private Applied applyAt(Command c, long at) {
    Applied a = Applier.apply(state, c, at);
    state = a.state();
    index = at;
    return a;
  }

  private Group group() {
    return state.getGroupsOrThrow("g");
  }

  private GroupData data() {
    return state.getGroupDataOrThrow("g");
  }

  /** Applies {@code c} and asserts the refusal left groups and group data unchanged. */
  private Applied refused(Command c, Outcome outcome, String messagePart) {
    TandemState before = state;
    Applied a = apply(c);
    assertThat(a.result().getOutcome()).isEqualTo(outcome);
    assertThat(a.result().getMessage()).contains(messagePart);
    assertThat(a.transitions()).isEmpty();
    assertThat(state.getGroupsMap()).isEqualTo(before.getGroupsMap());
    assertThat(state.getGroupDataMap()).isEqualTo(before.getGroupDataMap());
    return a;
  }

  /** Group g with a and b, a active under token 20. */
  @BeforeEach
  void activeGroup() {
    applyAt(create("g", "a", "b"), 10);
    applyAt(activate("g", "a", 0), 20);
  }

  @Test
  void firstDeployOnRevisionZeroBecomesTheRevisionAtItsIndex() {
    Applied a = applyAt(deploy("g", 20, 0, "[{\"id\":\"n1\"}]"), 30);
    assertThat(a.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(a.result().getRevision()).isEqualTo(30);
    assertThat(a.result().getMessage()).isEqualTo("revision 30 deployed by a/admin");
    assertThat(group().getCurrentRevision()).isEqualTo(30);
    assertThat(group().getToken()).as("a deploy moves no token").isEqualTo(20);
    FlowsRevision r = data().getRevisions(0);
    assertThat(r.getRevision()).isEqualTo(30);
    assertThat(r.getFlows().toStringUtf8()).isEqualTo("[{\"id\":\"n1\"}]");
    assertThat(r.getCredentials().toStringUtf8()).isEqualTo("{\"$\":\"abc\"}");
    assertThat(r.getDeployedBy()).isEqualTo("a/admin");
    assertThat(r.getAtUnixMillis()).isEqualTo(STAMP);
    assertThat(r.getSizeBytes()).isEqualTo("[{\"id\":\"n1\"}]".length() + "{\"$\":\"abc\"}".length());
    assertThat(r.getModulesList()).containsExactly("node-red@4.1.8");
    assertThat(r.getCredentialKeyDigest()).isEqualTo("k1");
    assertThat(r.getRollbackOf()).isZero();
    assertThat(a.transitions()).singleElement().satisfies(t -> {
      assertThat(t.getKind()).isEqualTo(TransitionKind.FLOWS_DEPLOYED);
      assertThat(t.getToInstance()).isEqualTo("a");
      assertThat(t.getToken()).isEqualTo(20);
      assertThat(t.getIndex()).isEqualTo(30);
      assertThat(t.getReason()).contains("revision 30 deployed by a/admin").contains(r.getDigest());
    });
    assertThat(group().getHistoryList()).last().isEqualTo(a.transitions().get(0));
  }

  @Test
  void digestIsSha256OfFlowsZeroByteCredentials() throws Exception {
    applyAt(deploy("g", 20, 0, "[]"), 30);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update("[]".getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update("{\"$\":\"abc\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(data().getRevisions(0).getDigest()).isEqualTo("sha256:" + HexFormat.of().formatHex(sha.digest()));
    // Moving a byte across the separator changes the digest.
    assertThat(FlowsDigest.of(ByteString.copyFromUtf8("ab"), ByteString.copyFromUtf8("c")))
        .isNotEqualTo(FlowsDigest.of(ByteString.copyFromUtf8("a"), ByteString.copyFromUtf8("bc")));
  }

  @Test
  void aStandbyOrStaleTokenCannotDeploy() {
    applyAt(deploy("g", 20, 0, "[1]"), 30);
    refused(activate("g", "b", 20), Outcome.STALE_TOKEN, "is at flows revision 30, not at the expected revision 0");
    applyAt(activate("g", "b", 20, 30), 50); // b took over on revision 30; a's token 20 is stale
    Applied stale = refused(deploy("g", 20, 30, "[2]"), Outcome.STALE_TOKEN, "token 20 is not the group's current token 50");
    assertThat(stale.result().getActive()).isEqualTo("b");
    assertThat(stale.result().getToken()).isEqualTo(50);
    assertThat(stale.result().getRevision()).isEqualTo(30);
    refused(deploy("g", 0, 30, "[2]"), Outcome.STALE_TOKEN, "the active is \"b\"");
    // A standby that learned the current token from its assignment still cannot deploy.
    refused(deployFrom("a", "g", 50, 30, "[2]"), Outcome.STALE_TOKEN,
        "deploy refused: \"a\" is not the active instance (the active is \"b\")");
    assertThat(apply(deployFrom("b", "g", 50, 30, "[from b]")).result().getOutcome()).isEqualTo(Outcome.OK);
    refused(deploy("g", 50, 30, "[3]"), Outcome.STALE_TOKEN, "revision conflict");
  }

  @Test
  void noActiveMeansNoDeployButAnAdminImportStillWorks() {
    applyAt(deactivate("g", 20), 30);
    refused(deploy("g", 30, 0, "[1]"), Outcome.STALE_TOKEN, "has no active instance");
    Applied imported = applyAt(importFlows("g", 0, "[1]"), 50);
    assertThat(imported.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(group().getCurrentRevision()).isEqualTo(50);
    assertThat(data().getRevisions(0).getDeployedBy()).isEqualTo("tandemctl import");
  }

  @Test
  void revisionConflictIsRefusedWithTheSendersTokenAndTheCurrentRevision() {
    applyAt(deploy("g", 20, 0, "[1]"), 30);
    Applied lost = refused(deploy("g", 20, 0, "[other editor]"), Outcome.STALE_TOKEN,
        "revision conflict: deployed on top of revision 0 but the current revision is 30");
    assertThat(lost.result().getToken()).as("same token: the caller tells a conflict from a fence").isEqualTo(20);
    assertThat(lost.result().getRevision()).isEqualTo(30);
    refused(importFlows("g", 0, "[x]"), Outcome.STALE_TOKEN, "current revision is 30");
    refused(deploy("g", 20, 31, "[x]"), Outcome.STALE_TOKEN, "on top of revision 31");
    assertThat(data().getRevisionsList()).hasSize(1);
    // The same against a group without revisions says so.
    applyAt(create("h", "a"), 100);
    applyAt(activate("h", "a", 0), 110);
    refused(deploy("h", 110, 30, "[x]"), Outcome.STALE_TOKEN, "the group has no revision yet");
  }

  @Test
  void onlyTheLastKeepRevisionsAreKept() {
    long rev = 0;
    for (int i = 0; i < 25; i++) {
      Command c = deploy("g", 20, rev, "[" + i + "]");
      c = c.toBuilder().setSetFlows(c.getSetFlows().toBuilder().setKeepRevisions(i < 20 ? 20 : 5)).build();
      rev = apply(c).result().getRevision();
    }
    assertThat(data().getRevisionsList()).hasSize(5);
    assertThat(data().getRevisionsList()).extracting(FlowsRevision::getRevision).isSorted();
    assertThat(data().getRevisionsList()).last().extracting(FlowsRevision::getRevision).isEqualTo(rev);
    assertThat(data().getRevisionsList()).last().extracting(r -> r.getFlows().toStringUtf8()).isEqualTo("[24]");
    // Not stamped (0): the default of 20 applies.
    Command unstamped = deploy("g", 20, rev, "[x]");
    unstamped = unstamped.toBuilder().setSetFlows(unstamped.getSetFlows().toBuilder().clearKeepRevisions()).build();
    apply(unstamped);
    assertThat(data().getRevisionsList()).hasSize(6);
  }

  @Test
  void rollbackRecommitsAKeptRevisionsContentUnderANewNumber() {
    long r1 = applyAt(deploy("g", 20, 0, "[\"one\"]"), 30).result().getRevision();
    long r2 = applyAt(deploy("g", 20, r1, "[\"two\"]"), 40).result().getRevision();
    Applied back = applyAt(rollback("g", r2, r1), 50);
    assertThat(back.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(back.result().getMessage()).isEqualTo("revision 50 rolls back to revision 30 by tandemctl rollback");
    FlowsRevision now = data().getRevisions(2);
    FlowsRevision one = data().getRevisions(0);
    assertThat(now.getRevision()).isEqualTo(50);
    assertThat(now.getRollbackOf()).isEqualTo(30);
    assertThat(now.getFlows()).isEqualTo(one.getFlows());
    assertThat(now.getCredentials()).isEqualTo(one.getCredentials());
    assertThat(now.getDigest()).isEqualTo(one.getDigest());
    assertThat(now.getModulesList()).isEqualTo(one.getModulesList());
    assertThat(now.getDeployedBy()).isEqualTo("tandemctl rollback");
    assertThat(group().getCurrentRevision()).isEqualTo(50);
    refused(rollback("g", 50, 7), Outcome.NOT_FOUND, "revision 7 of group \"g\" is not kept (kept: 30 to 50)");
    refused(rollback("g", 40, 30), Outcome.STALE_TOKEN, "revision conflict");
    Command withFlows = rollback("g", 50, 30);
    withFlows = withFlows.toBuilder().setSetFlows(withFlows.getSetFlows().toBuilder()
        .setFlows(ByteString.copyFromUtf8("[]"))).build();
    refused(withFlows, Outcome.INVALID, "carries no flows");
  }

  @Test
  void unknownGroupAndBadNamesAreRefused() {
    refused(deploy("nope", 20, 0, "[]"), Outcome.NOT_FOUND, "does not exist");
    refused(deploy("bad name", 20, 0, "[]"), Outcome.INVALID, "group name");
    refused(editorData("nope", 20, EditorDataKind.SETTINGS, "", "{}"), Outcome.NOT_FOUND, "does not exist");
  }

  @Test
  void deleteGroupRemovesItsData() {
    applyAt(deploy("g", 20, 0, "[]"), 30);
    applyAt(deactivate("g", 20), 40);
    applyAt(delete("g"), 50);
    assertThat(state.getGroupDataMap()).doesNotContainKey("g");
    applyAt(create("g", "a"), 60);
    assertThat(group().getCurrentRevision()).as("a group made again starts without revisions").isZero();
  }

  @Test
  void retriedDeployReturnsTheFirstResult() {
    Command d = withRequestId(deploy("g", 20, 0, "[]"), "deploy-1");
    Applied first = applyAt(d, 30);
    Applied again = applyAt(d, 31);
    assertThat(again.result()).isEqualTo(first.result());
    assertThat(data().getRevisionsList()).hasSize(1);
  }

  @Test
  void settingsAndLibraryAreFencedSessionsAreNot() {
    Applied s = apply(editorData("g", 20, EditorDataKind.SETTINGS, "", "{\"theme\":1}"));
    assertThat(s.result().getOutcome()).isEqualTo(Outcome.OK);
    assertThat(s.transitions()).isEmpty();
    apply(editorData("g", 20, EditorDataKind.LIBRARY, "flows\u0000a/b.json", "[lib]"));
    assertThat(data().getSettings().toStringUtf8()).isEqualTo("{\"theme\":1}");
    assertThat(data().getLibraryMap()).containsOnlyKeys("flows\u0000a/b.json");

    refused(editorData("g", 7, EditorDataKind.SETTINGS, "", "{}"), Outcome.STALE_TOKEN, "saving settings refused");
    refused(editorData("g", 7, EditorDataKind.LIBRARY, "flows\u0000x", "{}"), Outcome.STALE_TOKEN, "saving library");
    Applied sessions = apply(editorData("g", 0, EditorDataKind.SESSIONS, "", "{\"tok\":{}}"));
    assertThat(sessions.result().getOutcome()).as("a standby's login replicates").isEqualTo(Outcome.OK);
    assertThat(data().getSessions().toStringUtf8()).isEqualTo("{\"tok\":{}}");

    refused(editorData("g", 20, EditorDataKind.LIBRARY, "", "{}"), Outcome.INVALID, "needs a key");
    refused(editorData("g", 20, EditorDataKind.SETTINGS, "k", "{}"), Outcome.INVALID, "only library entries");
    refused(editorData("g", 20, EditorDataKind.EDITOR_DATA_KIND_UNSPECIFIED, "", "{}"), Outcome.INVALID, "kind");
  }

  @Test
  void editorDataSurvivesADeployAndADeployKeepsEditorData() {
    apply(editorData("g", 20, EditorDataKind.SETTINGS, "", "{\"s\":1}"));
    applyAt(deploy("g", 20, 0, "[]"), 100);
    assertThat(data().getSettings().toStringUtf8()).isEqualTo("{\"s\":1}");
    assertThat(data().getRevisionsList()).hasSize(1);
    assertThat(group().getHistoryList()).extracting(Transition::getKind).contains(TransitionKind.FLOWS_DEPLOYED);
  }
}

package io.tandem.agent.control;

import static io.tandem.agent.control.ActionKind.KILL;
import static io.tandem.agent.control.ActionKind.NONE;
import static io.tandem.agent.control.ActionKind.RENEW_NOW;
import static io.tandem.agent.control.ActionKind.REPORT_FENCED;
import static io.tandem.agent.control.ActionKind.SET_TOKEN_AND_START;
import static io.tandem.agent.control.ActionKind.STOP;
import static io.tandem.agent.control.Views.NOW;
import static io.tandem.agent.control.Views.lease;
import static io.tandem.agent.control.Views.view;
import static io.tandem.proto.agent.FenceReason.CRASHED;
import static io.tandem.proto.agent.FenceReason.FENCE_REASON_UNSPECIFIED;
import static io.tandem.proto.agent.FenceReason.HUNG;
import static io.tandem.proto.agent.FenceReason.LEASE_LOST;
import static io.tandem.proto.agent.FenceReason.RELEASED;
import static io.tandem.proto.agent.FenceReason.REVOKED;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_DOWN;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_HUNG;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_RUNNING;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_STANDBY;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_STARTING;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.proto.agent.FenceReason;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per rule of {@link Decide}: the view, the expected action and its reason sentence. */
class DecideTableTest {

  static Stream<Arguments> rules() {
    return Stream.of(
        row("standby, waiting for the first committed assignment",
            view(), NONE, 0, FENCE_REASON_UNSPECIFIED,
            "standby: waiting for the committed assignment from the coordinators"),
        row("standby while another instance is active",
            view().assigned("b", 7), NONE, 0, FENCE_REASON_UNSPECIFIED,
            "standby: active b (token 7)"),
        row("assigned with a valid lease: start",
            view().assigned("a", 5).lease(lease(5, 1000)), SET_TOKEN_AND_START, 5,
            FENCE_REASON_UNSPECIFIED, "flows started: committed active with token 5, lease left 1000 ms"),
        row("assigned without a lease: ask for one",
            view().assigned("a", 5), RENEW_NOW, 5, FENCE_REASON_UNSPECIFIED,
            "assigned token 5: asking for a lease before starting flows"),
        row("assigned, but the lease is for an older token",
            view().assigned("a", 5).lease(lease(4, 1000)), RENEW_NOW, 5, FENCE_REASON_UNSPECIFIED,
            "assigned token 5: asking for a lease before starting flows"),
        row("assigned, but the lease's stop time has come",
            view().assigned("a", 5).lease(lease(5, 0)), RENEW_NOW, 5, FENCE_REASON_UNSPECIFIED,
            "assigned token 5: asking for a lease before starting flows"),
        row("assigned a token that was fenced here: never start it again",
            view().assigned("a", 5).lease(lease(5, 1000)).fenced(5), NONE, 0,
            FENCE_REASON_UNSPECIFIED, "token 5 was fenced here; waiting for the coordinator to move on"),
        row("release requested before the flows were started",
            view().assigned("a", 5).lease(lease(5, 1000)).release(5), REPORT_FENCED, 5, RELEASED,
            "token 5 released before its flows were started (planned switchover)"),
        row("assigned while Node-RED is still starting: hand the token back",
            view().assigned("a", 5).lease(lease(5, 1000)).runtime(RUNTIME_STARTING, "launched"),
            REPORT_FENCED, 5, CRASHED, "token 5 handed back: this instance is assigned but Node-RED "
                + "is not ready (starting: launched)"),
        row("running healthy",
            view().assigned("a", 5).lease(lease(5, 1000)).running(5).runtime(RUNTIME_RUNNING),
            NONE, 0, FENCE_REASON_UNSPECIFIED, "active: flows running under token 5, lease left 1000 ms"),
        row("running, the lease's stop time has come",
            view().assigned("a", 5).lease(lease(5, 0)).running(5).runtime(RUNTIME_RUNNING),
            STOP, 5, LEASE_LOST, "flows stopped: the lease ends in 300 ms and was not renewed"),
        row("running, the lease is long over",
            view().assigned("a", 5).lease(lease(5, -500)).running(5).runtime(RUNTIME_RUNNING),
            STOP, 5, LEASE_LOST, "flows stopped: the lease ended 200 ms ago and was not renewed"),
        row("running without any lease for the token",
            view().assigned("a", 5).lease(lease(4, 1000)).running(5).runtime(RUNTIME_RUNNING),
            STOP, 5, LEASE_LOST, "flows stopped: there is no lease for token 5"),
        row("running, the assignment moved to another instance",
            view().assigned("b", 7).lease(lease(5, 1000)).running(5).runtime(RUNTIME_RUNNING),
            STOP, 5, REVOKED, "flows stopped: the committed assignment moved (active b (token 7), "
                + "flows ran under token 5)"),
        row("running, this instance was re-activated under a newer token",
            view().assigned("a", 9).lease(lease(9, 1000)).running(5).runtime(RUNTIME_RUNNING),
            STOP, 5, REVOKED, "flows stopped: the committed assignment moved (active a (token 9), "
                + "flows ran under token 5)"),
        row("holding a token while no committed assignment is known",
            view().lease(lease(5, 1000)).running(5).runtime(RUNTIME_RUNNING), STOP, 5, REVOKED,
            "flows stopped: no committed assignment is known for token 5"),
        row("running, the group was deleted",
            view().deleted().lease(lease(5, 1000)).running(5).runtime(RUNTIME_RUNNING),
            STOP, 5, REVOKED, "flows stopped: the coordinator no longer knows this group"),
        row("running, a planned switchover asks to release",
            view().assigned("a", 5).lease(lease(5, 1000)).running(5).runtime(RUNTIME_RUNNING)
                .release(5), STOP, 5, RELEASED,
            "flows stopped: a planned switchover asked this instance to release token 5"),
        row("running under a token that was fenced",
            view().assigned("a", 5).lease(lease(5, 1000)).running(5).fenced(5)
                .runtime(RUNTIME_RUNNING), STOP, 5, REVOKED,
            "flows stopped: token 5 was already fenced here"),
        row("flows found running that the agent did not start, no assignment",
            view().assigned("b", 7).runtime(RUNTIME_RUNNING), STOP, 0, REVOKED,
            "flows stopped: they were running without a committed assignment and a lease for this "
                + "instance (active b (token 7))"),
        row("flows found running, this instance is assigned with a lease",
            view().assigned("a", 5).lease(lease(5, 1000)).runtime(RUNTIME_RUNNING),
            SET_TOKEN_AND_START, 5, FENCE_REASON_UNSPECIFIED,
            "flows found running: setting token 5 and confirming the start"),
        row("holding a token, but Node-RED reports the flows stopped",
            view().assigned("a", 5).lease(lease(5, 1000)).running(5).runtime(RUNTIME_STANDBY),
            SET_TOKEN_AND_START, 5, FENCE_REASON_UNSPECIFIED, "flows restarted: Node-RED reports "
                + "them stopped although this instance holds token 5 with a valid lease"),
        row("Node-RED exited while running flows",
            view().assigned("a", 5).lease(lease(5, 1000)).running(5)
                .runtime(RUNTIME_DOWN, "exited with code 137"), REPORT_FENCED, 5, CRASHED,
            "token 5 fenced: Node-RED went away while running flows (down: exited with code 137)"),
        row("Node-RED hung while running flows",
            view().assigned("a", 5).lease(lease(5, 1000)).running(5)
                .runtime(RUNTIME_HUNG, "3 probes unanswered"), KILL, 5, HUNG,
            "Node-RED killed: it does not answer probes (3 probes unanswered); token 5 fenced"),
        row("a hung spare is killed (it restarts as a spare)",
            view().assigned("b", 7).runtime(RUNTIME_HUNG, "3 probes unanswered"), KILL, 0, HUNG,
            "Node-RED killed: it does not answer probes (3 probes unanswered)"),
        row("a hung runtime that was already killed: wait for its exit",
            view().assigned("b", 7).runtime(RUNTIME_HUNG, "x").killed(1), NONE, 0,
            FENCE_REASON_UNSPECIFIED, "waiting for the killed Node-RED (pid 42) to exit"));
  }

  private static Arguments row(String rule, Views view, ActionKind kind, long token,
      FenceReason fence, String reason) {
    return Arguments.of(rule, view.build(), kind, token, fence, reason);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void decides(String rule, View view, ActionKind kind, long token, FenceReason fence,
      String reason) {
    Action a = Decide.decide(view, NOW);
    assertThat(a.kind()).as("action").isEqualTo(kind);
    assertThat(a.token()).as("token").isEqualTo(token);
    assertThat(a.fence()).as("fence reason").isEqualTo(fence);
    assertThat(a.reason()).as("reason").isEqualTo(reason);
  }
}

package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.RequestOutcomeRequest;
import io.tandem.proto.admin.RequestOutcomeResponse;
import io.tandem.proto.admin.RequestOutcomeResponse.State;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A switchover whose answer did not arrive in time is never re-sent: tandemctl asks the leader by
 * request id what became of it and reports that.
 */
class SwitchoverOutcomeTest {
  private final List<SwitchoverRequest> switchovers = new CopyOnWriteArrayList<>();
  private final List<RequestOutcomeRequest> asked = new CopyOnWriteArrayList<>();

  /** A coordinator that never answers a switchover and answers RequestOutcome with {@code outcome}. */
  private FakeCoordinator coordinator(Function<Integer, RequestOutcomeResponse> outcome) {
    AtomicInteger calls = new AtomicInteger();
    return new FakeCoordinator(new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void switchover(SwitchoverRequest r, StreamObserver<SwitchoverResponse> reply) {
        switchovers.add(r);
      }

      @Override
      public void requestOutcome(RequestOutcomeRequest r, StreamObserver<RequestOutcomeResponse> reply) {
        asked.add(r);
        reply.onNext(outcome.apply(calls.incrementAndGet()).toBuilder().setAnsweredBy("c1").build());
        reply.onCompleted();
      }

      @Override
      public void getGroup(GetGroupRequest r, StreamObserver<GroupView> reply) {
        reply.onNext(GroupView.newBuilder().setName(r.getGroup()).setActive("a").setToken(3).build());
        reply.onCompleted();
      }
    });
  }

  private static CtlRun switchover(FakeCoordinator c) {
    return CtlRun.at(c.address(), "--timeout", "1s", "--attempt-timeout", "200ms",
        "switchover", "line1", "--wait-timeout", "1ms");
  }

  private static RequestOutcomeResponse succeeded() {
    return RequestOutcomeResponse.newBuilder().setState(State.SUCCEEDED).setKind("switchover")
        .setSwitchover(SwitchoverResponse.newBuilder().setFromInstance("a").setToInstance("b")
            .setToken(7).setElapsedMillis(2300))
        .build();
  }

  @Test
  void aCommittedSwitchoverWhoseAnswerCameTooLateIsReportedAsDone() throws Exception {
    try (FakeCoordinator c = coordinator(n -> n == 1
        ? RequestOutcomeResponse.newBuilder().setState(State.IN_PROGRESS).setMessage("waiting").build()
        : succeeded())) {
      CtlRun run = switchover(c);
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.out()).isEqualTo("switched over group line1: a -> b, token 7, took 2300 ms\n");
      assertThat(run.err()).contains("the leader reports the switchover (request id "
          + switchovers.get(0).getRequestId() + ") as done");
      assertThat(switchovers).hasSize(1);
      assertThat(asked).hasSize(2).allMatch(a -> a.getRequestId().equals(switchovers.get(0).getRequestId()));
    }
  }

  @Test
  void aFailedSwitchoverIsARefusalWithTheLeadersReason() throws Exception {
    try (FakeCoordinator c = coordinator(n -> RequestOutcomeResponse.newBuilder().setState(State.FAILED)
        .setMessage("\"a\" did not confirm that its flows stopped").build())) {
      CtlRun run = switchover(c);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
      assertThat(run.errLines()).containsExactly(
          "tandemctl: switchover of group line1 failed: \"a\" did not confirm that its flows stopped");
      assertThat(switchovers).hasSize(1);
    }
  }

  @Test
  void anOutcomeTheLeaderDoesNotKnowSaysSoAndShowsTheGroup() throws Exception {
    try (FakeCoordinator c = coordinator(n -> RequestOutcomeResponse.getDefaultInstance())) {
      CtlRun run = switchover(c);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      assertThat(run.errLines()).hasSize(1);
      assertThat(run.err()).contains("the outcome is unknown", "the leader c1 has no record of request id "
          + switchovers.get(0).getRequestId(), "group line1 now has active a (token 3)");
      assertThat(switchovers).hasSize(1);
    }
  }
}

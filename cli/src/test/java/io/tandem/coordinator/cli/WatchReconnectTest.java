package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.HistoryRequest;
import io.tandem.proto.admin.HistoryResponse;
import io.tandem.proto.admin.TransitionEvent;
import io.tandem.proto.admin.WatchRequest;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A watch whose stream breaks reconnects to the next coordinator, prints from the history what
 * it missed, and prints no transition twice.
 */
class WatchReconnectTest {

  private static Transition t(long index, TransitionKind kind, String to) {
    return Transition.newBuilder().setIndex(index).setKind(kind).setToInstance(to).setToken(index).setReason("r" + index).build();
  }

  private static TransitionEvent ev(Transition t) {
    return TransitionEvent.newBuilder().setGroup("g").setTransition(t).build();
  }

  /** Answers the watch's setup calls; streams {@code events} then ends as told. */
  private static AdminServiceGrpc.AdminServiceImplBase coordinator(List<Transition> history, List<Transition> events, Status end) {
    return new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void clusterStatus(ClusterStatusRequest r, StreamObserver<ClusterStatusResponse> reply) {
        reply.onNext(ClusterStatusResponse.newBuilder().setCommitIndex(10).build());
        reply.onCompleted();
      }

      @Override
      public void getGroup(GetGroupRequest r, StreamObserver<GroupView> reply) {
        reply.onNext(GroupView.newBuilder().setName(r.getGroup()).build());
        reply.onCompleted();
      }

      @Override
      public void history(HistoryRequest r, StreamObserver<HistoryResponse> reply) {
        reply.onNext(HistoryResponse.newBuilder().addAllTransitions(history).build());
        reply.onCompleted();
      }

      @Override
      public void watch(WatchRequest r, StreamObserver<TransitionEvent> reply) {
        events.forEach(e -> reply.onNext(ev(e)));
        if (end != null) {
          reply.onError(end.asRuntimeException());
        }
      }
    };
  }

  @Test
  void reconnectsFillsTheGapFromHistoryAndSkipsDuplicates() throws Exception {
    Transition old = t(9, TransitionKind.ACTIVATED, "a"); // committed before the watch started
    Transition first = t(11, TransitionKind.ACTIVATED, "b");
    Transition missed = t(12, TransitionKind.MAINTENANCE_ON, "");
    Transition next = t(13, TransitionKind.ACTIVATED, "a");
    try (FakeCoordinator dying =
            new FakeCoordinator(coordinator(List.of(old, first), List.of(old, first), Status.UNAVAILABLE.withDescription("going away")));
        FakeCoordinator healthy =
            new FakeCoordinator(coordinator(List.of(old, first, missed), List.of(first, missed, next), null))) {
      CtlRun run = CtlRun.at(dying.address() + "," + healthy.address(), "watch", "g", "--count", "3", "--json");

      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.outLines()).hasSize(3);
      assertThat(run.outLines().get(0)).contains("\"index\":11", "\"to\":\"b\"", "\"group\":\"g\"");
      assertThat(run.outLines().get(1)).contains("\"index\":12", "MAINTENANCE_ON");
      assertThat(run.outLines().get(2)).contains("\"index\":13");
      assertThat(run.errLines())
          .containsExactly(
              "tandemctl: watch: stream from " + dying.address() + " broke (going away); reconnecting",
              "tandemctl: watch: reconnected to " + healthy.address());
    }
  }

  @Test
  void humanLinesNameGroupKindChangeAndToken() throws Exception {
    Transition act = Transition.newBuilder().setIndex(21).setKind(TransitionKind.ACTIVATED).setFromInstance("a")
        .setToInstance("b").setToken(21).setReason("lease expired").setAtUnixMillis(1_700_000_000_123L).build();
    try (FakeCoordinator c = new FakeCoordinator(coordinator(List.of(), List.of(act), null))) {
      CtlRun run = CtlRun.at(c.address(), "watch", "g", "--count", "1");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.outLines())
          .containsExactly("2023-11-14T22:13:20.123Z  g  ACTIVATED  a -> b  token 21  index 21  (lease expired)");
    }
  }
}

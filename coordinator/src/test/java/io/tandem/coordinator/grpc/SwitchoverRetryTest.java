package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.testing.FakeAgent;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.HistoryRequest;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A Switchover retried with the same request id returns the first outcome; it never runs twice. */
class SwitchoverRetryTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void aRetriedRequestIdJoinsTheFirstSwitchoverAndDoesNotSwitchBack() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3);
        TestClient client = new TestClient(cluster.grpcAddresses(), LONG, 20_000)) {
      cluster.waitForLeader(LONG);
      client.createGroup("retry", "a", "b");
      try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "retry", "a").start(50);
          FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "retry", "b").start(50)) {
        retriedSwitchover(cluster, client, a, b);
      }
    }
  }

  private static void retriedSwitchover(MiniCluster cluster, TestClient client, FakeAgent a, FakeAgent b)
      throws Exception {
    {
      Waits.until("one running, one ready", LONG, () ->
          (a.runningToken() > 0 || b.runningToken() > 0) && client.group("retry").getStandbysReady() == 1);
      String from = client.group("retry").getActive();
      String to = from.equals("a") ? "b" : "a";
      SwitchoverRequest req = SwitchoverRequest.newBuilder()
          .setRequestId("op-42").setGroup("retry").build();

      ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(cluster.waitForLeader(LONG)))
          .usePlaintext().build();
      try {
        // the first call and a retry of it while it is in progress
        var stub = AdminServiceGrpc.newFutureStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
        ListenableFuture<SwitchoverResponse> first = stub.switchover(req);
        ListenableFuture<SwitchoverResponse> retry = stub.switchover(req);
        SwitchoverResponse r1 = first.get(40, TimeUnit.SECONDS);
        SwitchoverResponse r2 = retry.get(40, TimeUnit.SECONDS);
        assertThat(r1.getFromInstance()).isEqualTo(from);
        assertThat(r1.getToInstance()).isEqualTo(to);
        assertThat(r2).isEqualTo(r1);

        // the old active is a ready standby again: a second switchover could now run
        Waits.until("old active ready again", LONG, () -> client.group("retry").getStandbysReady() == 1);
        SwitchoverResponse late = AdminServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(30, TimeUnit.SECONDS).switchover(req);
        assertThat(late).isEqualTo(r1);
        assertThat(client.group("retry").getActive()).isEqualTo(to);
        assertThat(client.group("retry").getToken()).isEqualTo(r1.getToken());

        // the same id for a different switchover is refused, not silently joined
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
            () -> AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                .switchover(req.toBuilder().setToInstance(from).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("op-42", "already used");
      } finally {
        ch.shutdownNow();
      }
      List<Transition> activations = client.admin(s -> s.history(
              HistoryRequest.newBuilder().setGroup("retry").build())).getTransitionsList().stream()
          .filter(t -> t.getKind() == TransitionKind.ACTIVATED)
          .toList();
      assertThat(activations).as("first activation + one switchover").hasSize(2);
      assertThat(activations.get(1).getToInstance()).isEqualTo(to);
    }
  }

  @Test
  void aRequestRefusedBeforeAnythingHappenedMayBeRetried() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3);
        TestClient client = new TestClient(cluster.grpcAddresses(), LONG, 20_000)) {
      cluster.waitForLeader(LONG);
      SwitchoverRequest req = SwitchoverRequest.newBuilder()
          .setRequestId("op-7").setGroup("later").build();
      assertThat(catchThrowableOfType(StatusRuntimeException.class,
          () -> client.admin(s -> s.switchover(req))).getStatus().getCode())
          .isEqualTo(Status.Code.NOT_FOUND);
      client.createGroup("later", "a", "b");
      // the first attempt changed nothing and is forgotten: the retry is judged afresh
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> client.admin(s -> s.switchover(req)));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(e.getStatus().getDescription()).contains("no active instance");
    }
  }
}

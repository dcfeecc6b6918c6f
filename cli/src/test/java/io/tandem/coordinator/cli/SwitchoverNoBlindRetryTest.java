package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A switchover whose answer does not arrive in time is reported as unknown, never re-sent. */
class SwitchoverNoBlindRetryTest {
  @Test
  void aTimedOutSwitchoverIsNotRetriedAndExitsTwoWithOutcomeUnknown() throws Exception {
    List<SwitchoverRequest> received = new CopyOnWriteArrayList<>();
    try (FakeCoordinator c = new FakeCoordinator(new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void switchover(SwitchoverRequest r, StreamObserver<SwitchoverResponse> reply) {
        received.add(r); // never answers: the switchover may or may not happen
      }
    })) {
      CtlRun run = CtlRun.at(c.address(), "--timeout", "1s", "--attempt-timeout", "200ms",
          "switchover", "line1", "--wait-timeout", "100ms");
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      assertThat(run.err()).contains("the outcome is unknown");
      assertThat(run.out()).isEmpty();
      assertThat(received).hasSize(1);
      assertThat(received.get(0).getRequestId()).isNotEmpty();
      assertThat(received.get(0).getTimeoutMillis()).isEqualTo(100);
    }
  }
}

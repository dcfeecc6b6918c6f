package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.InstanceView;
import io.tandem.proto.admin.RestartInstanceRequest;
import io.tandem.proto.admin.RestartInstanceResponse;
import org.junit.jupiter.api.Test;

/**
 * What {@code tandemctl restart} says when a step fails: a refusal (FAILED_PRECONDITION: nothing
 * was restarted) is not described as a restart under way, and the command to go on keeps the
 * {@code --node-red-version} it was given.
 */
class RestartRefusalTest {
  /** Group line1: a active, b standby; every RestartInstance fails with {@code failure}. */
  private static FakeCoordinator coordinator(Status failure) {
    return new FakeCoordinator(new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void getGroup(GetGroupRequest r, StreamObserver<GroupView> reply) {
        reply.onNext(GroupView.newBuilder().setName(r.getGroup()).setActive("a").setToken(3)
            .addInstances(InstanceView.newBuilder().setId("a").setRuntime("running"))
            .addInstances(InstanceView.newBuilder().setId("b").setRuntime("standby").setReady(true))
            .build());
        reply.onCompleted();
      }

      @Override
      public void restartInstance(RestartInstanceRequest r, StreamObserver<RestartInstanceResponse> reply) {
        reply.onError(failure.asRuntimeException());
      }
    });
  }

  @Test
  void aRefusedRestartSaysTheInstanceRunsAsBeforeAndHowToGoOnWithTheSameVersion() throws Exception {
    try (FakeCoordinator c = coordinator(Status.FAILED_PRECONDITION.withDescription(
        "the agent of \"b\" refused the restart: this host has no Node-RED 9.9.9 install"))) {
      CtlRun run = CtlRun.at(c.address(), "restart", "line1", "--node-red-version", "9.9.9");
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
      assertThat(run.err())
          .contains("tandemctl: restart of b failed: the agent of \"b\" refused the restart: this host has no"
              + " Node-RED 9.9.9 install (failed precondition)")
          .contains("group line1 is safe: b refused the restart and runs as before; the active is a. Fix what"
              + " the refusal says, then run tandemctl restart line1 --node-red-version 9.9.9 again.")
          .doesNotContain("was being restarted");
    }
  }

  @Test
  void aRestartThatTimedOutIsUnderWayAndTheCommandToContinueKeepsTheVersion() throws Exception {
    try (FakeCoordinator c = coordinator(Status.ABORTED.withDescription("b was not a ready standby within 1 s"))) {
      CtlRun run = CtlRun.at(c.address(), "restart", "line1", "--node-red-version", "4.1.9");
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
      assertThat(run.err())
          .contains("b was being restarted (the coordinators finish that on their own")
          .contains("To continue, run tandemctl restart line1 --node-red-version 4.1.9 again.");
    }
  }
}

package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Exit codes and the one-line error messages, against dead ports and a fake coordinator. */
class TandemCtlErrorsTest {

  @Test
  void unreachableCoordinatorsGiveOneLineAndExitCode2() {
    String a = FakeCoordinator.deadAddress();
    String b = FakeCoordinator.deadAddress();
    long start = System.nanoTime();
    CtlRun run = CtlRun.at(a + "," + b, "--timeout", "1s", "status");
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.errLines().get(0))
        .isEqualTo("tandemctl: no coordinator reachable at " + a + "," + b + " (last error: connection refused)");
    assertThat(tookMillis).as("gives up after about --timeout").isLessThan(15_000);
  }

  @Test
  void unknownGroupIsARefusalWithExitCode1() throws Exception {
    var service =
        new AdminServiceGrpc.AdminServiceImplBase() {
          @Override
          public void getGroup(GetGroupRequest request, StreamObserver<GroupView> reply) {
            reply.onError(
                Status.NOT_FOUND.withDescription("group \"" + request.getGroup() + "\" does not exist").asRuntimeException());
          }
        };
    try (FakeCoordinator c = new FakeCoordinator(service)) {
      CtlRun run = CtlRun.at(c.address(), "group", "show", "nope");
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
      assertThat(run.out()).isEmpty();
      assertThat(run.errLines()).containsExactly("tandemctl: group \"nope\" does not exist (not found)");
    }
  }

  @Test
  void invalidArgumentAndStaleTokenAreRefusalsToo() throws Exception {
    Status[] answers = {
      Status.INVALID_ARGUMENT.withDescription("group name \"a b\" is invalid"),
      Status.ABORTED.withDescription("token moved"),
      Status.FAILED_PRECONDITION.withDescription("no ready standby")
    };
    for (Status answer : answers) {
      var service =
          new AdminServiceGrpc.AdminServiceImplBase() {
            @Override
            public void getGroup(GetGroupRequest request, StreamObserver<GroupView> reply) {
              reply.onError(answer.asRuntimeException());
            }
          };
      try (FakeCoordinator c = new FakeCoordinator(service)) {
        CtlRun run = CtlRun.at(c.address(), "group", "show", "x");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).startsWith("tandemctl: " + answer.getDescription());
      }
    }
  }

  @Test
  void usageErrorsExitWith2AndShowUsage() {
    CtlRun unknown = CtlRun.of("frobnicate");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unmatched argument", "Did you mean");

    CtlRun noCommand = CtlRun.of();
    assertThat(noCommand.exitCode()).isEqualTo(2);
    assertThat(noCommand.err()).contains("Missing command", "Usage: tandemctl");

    CtlRun badTimeout = CtlRun.of("--timeout", "2", "status");
    assertThat(badTimeout.exitCode()).isEqualTo(2);
    assertThat(badTimeout.err()).contains("Invalid value for option '--timeout': \"2\" has no unit: write 2ms or 2s");

    CtlRun badPriority =
        CtlRun.at(FakeCoordinator.deadAddress(), "group", "create", "g", "--instance", "a:high");
    assertThat(badPriority.exitCode()).isEqualTo(2);
    assertThat(badPriority.err()).contains("the priority \"high\" is not a whole number");

    CtlRun badNoFailover =
        CtlRun.at(FakeCoordinator.deadAddress(), "group", "create", "g", "--instance", "a", "--no-failover", "b");
    assertThat(badNoFailover.exitCode()).isEqualTo(2);
    assertThat(badNoFailover.err()).contains("--no-failover b: not one of the --instance ids [a]");

    CtlRun badList = CtlRun.at("localhost", "status");
    assertThat(badList.exitCode()).isEqualTo(2);
    assertThat(badList.errLines()).containsExactly("tandemctl: bad coordinator list: \"localhost\" is not host:port");
  }

  @Test
  void helpAndVersionExitWith0() {
    CtlRun help = CtlRun.of("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("status", "group", "switchover", "watch", "TANDEM_COORDINATORS", "Exit codes");

    CtlRun version = CtlRun.of("--version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).startsWith("tandemctl ");
  }

  @Test
  void coordinatorsComeFromTheEnvironmentWhenNoFlagIsGiven() throws Exception {
    var service =
        new AdminServiceGrpc.AdminServiceImplBase() {
          @Override
          public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> reply) {
            reply.onNext(ClusterStatusResponse.newBuilder().setLeaderId("env-leader").build());
            reply.onCompleted();
          }
        };
    try (FakeCoordinator c = new FakeCoordinator(service)) {
      CtlRun run = CtlRun.withEnv(Map.of("TANDEM_COORDINATORS", c.address()), "status", "--json");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.json().get("leader").asText()).isEqualTo("env-leader");

      CtlRun flagWins =
          CtlRun.withEnv(Map.of("TANDEM_COORDINATORS", c.address()), "--coordinators", FakeCoordinator.deadAddress(), "--timeout", "300ms", "status");
      assertThat(flagWins.exitCode()).isEqualTo(2);
    }
  }
}

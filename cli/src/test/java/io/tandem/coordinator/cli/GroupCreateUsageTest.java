package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import io.tandem.proto.admin.AddInstanceRequest;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.WriteResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad group and instance arguments are usage errors (exit 2) and never reach a coordinator. */
class GroupCreateUsageTest {
  private final List<Object> received = new CopyOnWriteArrayList<>();

  private FakeCoordinator coordinator() {
    return new FakeCoordinator(new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void createGroup(CreateGroupRequest r, StreamObserver<WriteResponse> reply) {
        received.add(r);
        reply.onNext(WriteResponse.newBuilder().setIndex(7).build());
        reply.onCompleted();
      }

      @Override
      public void addInstance(AddInstanceRequest r, StreamObserver<WriteResponse> reply) {
        received.add(r);
        reply.onNext(WriteResponse.newBuilder().setIndex(8).build());
        reply.onCompleted();
      }
    });
  }

  @Test
  void aGroupWithoutInstancesIsRefused() throws Exception {
    try (FakeCoordinator c = coordinator()) {
      CtlRun run = CtlRun.at(c.address(), "group", "create", "g1");
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      assertThat(run.err()).contains("group create g1: give at least one --instance ID[:PRIORITY]");
      assertThat(run.out()).isEmpty();
      assertThat(received).isEmpty();
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
    "a:99999999999| --instance \"a:99999999999\": the priority must be between -1000 and 1000, got 99999999999",
    "a:5:6| --instance \"a:5:6\": expected ID[:PRIORITY] with at most one ':'",
    "a:x| --instance \"a:x\": the priority \"x\" is not a whole number",
    "a b:1| --instance \"a b:1\": the id \"a b\" may only contain 1-64 of A-Z a-z 0-9 . _ -",
    ":1| --instance \":1\": the id is empty",
  })
  void aBadInstanceIsRefusedBeforeItIsSent(String instance, String expected) throws Exception {
    try (FakeCoordinator c = coordinator()) {
      CtlRun run = CtlRun.at(c.address(), "group", "create", "g1", "--instance", "ok:1", "--instance", instance);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      assertThat(run.err()).contains(expected);
      assertThat(received).isEmpty();
    }
  }

  @Test
  void goodInstancesAreSentWithTheirPriorities() throws Exception {
    try (FakeCoordinator c = coordinator()) {
      CtlRun run = CtlRun.at(c.address(), "group", "create", "g1", "--instance", "a:1000", "--instance", "b:-1000", "--instance", "c");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      CreateGroupRequest r = (CreateGroupRequest) received.get(0);
      assertThat(r.getInstancesList()).extracting(i -> i.getId() + ":" + i.getPriority())
          .containsExactly("a:1000", "b:-1000", "c:0");
    }
  }

  @Test
  void instanceAddChecksThePriorityToo() throws Exception {
    try (FakeCoordinator c = coordinator()) {
      CtlRun run = CtlRun.at(c.address(), "instance", "add", "g1", "x", "--priority", "99999999999");
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      assertThat(run.err()).contains("--priority: the priority must be between -1000 and 1000, got 99999999999");
      assertThat(received).isEmpty();
      CtlRun ok = CtlRun.at(c.address(), "instance", "add", "g1", "x", "--priority", "5");
      assertThat(ok.exitCode()).as(ok.toString()).isZero();
      assertThat(((AddInstanceRequest) received.get(0)).getInstance().getPriority()).isEqualTo(5);
    }
  }
}

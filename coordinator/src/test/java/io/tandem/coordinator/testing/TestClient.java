package io.tandem.coordinator.testing;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.AdminServiceGrpc.AdminServiceBlockingStub;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.WriteResponse;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.AgentServiceGrpc.AgentServiceBlockingStub;
import io.tandem.proto.state.InstanceSpec;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A small blocking client for tests: follows the leader, and retries UNAVAILABLE and
 * DEADLINE_EXCEEDED (an election in progress) for a bounded time. Other errors are thrown.
 */
public final class TestClient implements AutoCloseable {
  private final CoordinatorEndpoints endpoints;
  private final Duration retryFor;
  private final long deadlineMillis;

  public TestClient(String addresses) {
    this(addresses, Duration.ofSeconds(30), 3000);
  }

  public TestClient(String addresses, Duration retryFor, long deadlineMillis) {
    this.endpoints = CoordinatorEndpoints.parse(addresses);
    this.retryFor = retryFor;
    this.deadlineMillis = deadlineMillis;
  }

  public CoordinatorEndpoints endpoints() {
    return endpoints;
  }

  public <T> T admin(Function<AdminServiceBlockingStub, T> call) {
    return retrying(ch -> call.apply(AdminServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)));
  }

  public <T> T agent(Function<AgentServiceBlockingStub, T> call) {
    return retrying(ch -> call.apply(AgentServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)));
  }

  private <T> T retrying(Function<io.grpc.ManagedChannel, T> call) {
    long deadline = System.nanoTime() + retryFor.toNanos();
    while (true) {
      try {
        return endpoints.call(call, 2 * endpoints.addresses().size());
      } catch (StatusRuntimeException e) {
        Status.Code c = e.getStatus().getCode();
        boolean retry = c == Status.Code.UNAVAILABLE || c == Status.Code.DEADLINE_EXCEEDED;
        if (!retry || System.nanoTime() > deadline) {
          throw e;
        }
        Waits.sleep(50);
      }
    }
  }

  /** Creates a group of instances with priorities in the given order (first highest). */
  public WriteResponse createGroup(String group, String... instances) {
    CreateGroupRequest.Builder b = CreateGroupRequest.newBuilder()
        .setRequestId(UUID.randomUUID().toString()).setGroup(group);
    for (int i = 0; i < instances.length; i++) {
      b.addInstances(InstanceSpec.newBuilder().setId(instances[i]).setHost("127.0.0.1")
          .setPriority(instances.length - i));
    }
    CreateGroupRequest req = b.build();
    return admin(s -> s.createGroup(req));
  }

  public GroupView group(String name) {
    return admin(s -> s.getGroup(GetGroupRequest.newBuilder().setGroup(name).build()));
  }

  @Override
  public void close() {
    endpoints.close();
  }
}

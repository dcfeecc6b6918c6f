package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tandem.coordinator.testing.FakeAgent;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.DeleteGroupRequest;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.HistoryRequest;
import io.tandem.proto.admin.PeerInfo;
import io.tandem.proto.admin.RequestOutcomeRequest;
import io.tandem.proto.admin.RequestOutcomeResponse;
import io.tandem.proto.admin.SetMaintenanceRequest;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import io.tandem.proto.admin.TransitionEvent;
import io.tandem.proto.admin.WatchRequest;
import io.tandem.proto.admin.WriteResponse;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.TransitionKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminServiceTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static MiniCluster cluster;
  private static TestClient client;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MiniCluster.start(3);
    cluster.waitForLeader(LONG);
    client = new TestClient(cluster.grpcAddresses());
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static CreateGroupRequest create(String requestId, String group) {
    return CreateGroupRequest.newBuilder().setRequestId(requestId).setGroup(group)
        .addInstances(InstanceSpec.newBuilder().setId("a").setPriority(2))
        .addInstances(InstanceSpec.newBuilder().setId("b").setPriority(1))
        .build();
  }

  private static Status.Code code(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void aRetriedRequestIdReturnsTheFirstResult() {
    WriteResponse first = client.admin(s -> s.createGroup(create("req-1", "dup")));
    WriteResponse again = client.admin(s -> s.createGroup(create("req-1", "dup")));
    assertThat(again.getIndex()).isEqualTo(first.getIndex());
    // Without the request id the second create is a new command, refused.
    assertThat(code(() -> client.admin(s -> s.createGroup(create("req-2", "dup")))))
        .isEqualTo(Status.Code.ALREADY_EXISTS);
  }

  @Test
  void requestOutcomeTellsWhatBecameOfAWriteAndOfASwitchover() throws Exception {
    WriteResponse created = client.admin(s -> s.createGroup(create("req-outcome-1", "outcome")));
    RequestOutcomeResponse write = outcome("req-outcome-1");
    assertThat(write.getState()).isEqualTo(RequestOutcomeResponse.State.SUCCEEDED);
    assertThat(write.getKind()).isEqualTo("write");
    assertThat(write.getGroup()).isEqualTo("outcome");
    assertThat(write.getIndex()).isEqualTo(created.getIndex());
    assertThat(write.getAnsweredBy()).isEqualTo(cluster.leader().raft().selfId());

    assertThat(code(() -> client.admin(s -> s.createGroup(create("req-outcome-2", "outcome")))))
        .isEqualTo(Status.Code.ALREADY_EXISTS);
    RequestOutcomeResponse refused = outcome("req-outcome-2");
    assertThat(refused.getState()).isEqualTo(RequestOutcomeResponse.State.FAILED);
    assertThat(refused.getMessage()).contains("already exists");

    assertThat(outcome("never-sent").getState()).isEqualTo(RequestOutcomeResponse.State.STATE_UNKNOWN);

    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "outcome", "a").start(100);
        FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "outcome", "b").start(100)) {
      Waits.until("an active instance", LONG, () -> a.runningToken() > 0 || b.runningToken() > 0);
      String to = a.runningToken() > 0 ? "b" : "a";
      Waits.until("a ready standby", LONG, () -> client.group("outcome").getStandbysReady() > 0);
      SwitchoverResponse done = client.admin(s -> s.switchover(SwitchoverRequest.newBuilder()
          .setRequestId("req-switch-1").setGroup("outcome").setToInstance(to).setTimeoutMillis(20_000).build()));
      RequestOutcomeResponse switched = outcome("req-switch-1");
      assertThat(switched.getState()).isEqualTo(RequestOutcomeResponse.State.SUCCEEDED);
      assertThat(switched.getKind()).isEqualTo("switchover");
      assertThat(switched.getSwitchover()).isEqualTo(done);
      assertThat(switched.getActive()).isEqualTo(to);
    }
  }

  private static RequestOutcomeResponse outcome(String requestId) {
    return client.admin(s -> s.requestOutcome(
        RequestOutcomeRequest.newBuilder().setRequestId(requestId).build()));
  }

  @Test
  void refusalsMapToReadableStatusCodes() {
    StatusRuntimeException bad = catchThrowableOfType(StatusRuntimeException.class,
        () -> client.admin(s -> s.createGroup(create("r", "no spaces"))));
    assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(bad.getStatus().getDescription()).contains("no spaces");
    assertThat(code(() -> client.admin(s -> s.getGroup(
        GetGroupRequest.newBuilder().setGroup("missing").build())))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> client.admin(s -> s.deleteGroup(
        DeleteGroupRequest.newBuilder().setGroup("missing").build())))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> client.admin(s -> s.createGroup(CreateGroupRequest.newBuilder()
        .setGroup("twice").addInstances(InstanceSpec.newBuilder().setId("a"))
        .addInstances(InstanceSpec.newBuilder().setId("a")).build()))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void maintenanceHistoryAndDeleteWork() {
    client.admin(s -> s.createGroup(create("m-1", "maint")));
    client.admin(s -> s.setMaintenance(SetMaintenanceRequest.newBuilder()
        .setRequestId("m-2").setGroup("maint").setOn(true).build()));
    assertThat(client.group("maint").getMaintenance()).isTrue();
    var history = client.admin(s -> s.history(HistoryRequest.newBuilder().setGroup("maint").build()));
    assertThat(history.getTransitionsList()).extracting(t -> t.getKind())
        .contains(TransitionKind.GROUP_CREATED, TransitionKind.MAINTENANCE_ON);
    var last = client.admin(s -> s.history(HistoryRequest.newBuilder().setGroup("maint").setLimit(1).build()));
    assertThat(last.getTransitionsList()).hasSize(1);
    client.admin(s -> s.deleteGroup(DeleteGroupRequest.newBuilder().setRequestId("m-3").setGroup("maint").build()));
    assertThat(code(() -> client.group("maint"))).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void clusterStatusIsAnsweredByEveryPeer() {
    int leader = cluster.waitForLeader(LONG);
    client.admin(s -> s.createGroup(create("s-1", "status")));
    cluster.awaitCaughtUp(LONG);
    for (int i = 0; i < cluster.size(); i++) {
      ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(i)).usePlaintext().build();
      try {
        ClusterStatusResponse r = AdminServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(Duration.ofSeconds(3)).clusterStatus(ClusterStatusRequest.getDefaultInstance());
        assertThat(r.getAnsweredBy()).isEqualTo("c" + (i + 1));
        assertThat(r.getLeaderId()).isEqualTo("c" + (leader + 1));
        assertThat(r.getLeaderAddress()).isEqualTo(cluster.grpcAddress(leader));
        assertThat(r.getPeersList()).extracting(PeerInfo::getId).containsExactly("c1", "c2", "c3");
        assertThat(r.getGroupsList()).extracting(g -> g.getName()).contains("status");
        if (i == leader) {
          Waits.until("lag known", LONG, () -> AdminServiceGrpc.newBlockingStub(ch)
              .clusterStatus(ClusterStatusRequest.getDefaultInstance()).getPeersList().stream()
              .allMatch(p -> p.getLag() == 0));
        }
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void watchStreamsTransitionsOfOneGroup() {
    List<TransitionEvent> seen = new CopyOnWriteArrayList<>();
    ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(0)).usePlaintext().build();
    try {
      AdminServiceGrpc.newStub(ch).watch(WatchRequest.newBuilder().setGroup("watched").build(),
          new StreamObserver<>() {
            @Override public void onNext(TransitionEvent e) {
              seen.add(e);
            }

            @Override public void onError(Throwable t) {}

            @Override public void onCompleted() {}
          });
      Waits.sleep(300); // the stream is registered asynchronously
      client.admin(s -> s.createGroup(create("w-0", "unwatched")));
      client.admin(s -> s.createGroup(create("w-1", "watched")));
      Waits.until("GROUP_CREATED event", LONG, () -> !seen.isEmpty());
      assertThat(seen).allMatch(e -> e.getGroup().equals("watched"));
      assertThat(seen.get(0).getTransition().getKind()).isEqualTo(TransitionKind.GROUP_CREATED);
    } finally {
      ch.shutdownNow();
    }
  }
}

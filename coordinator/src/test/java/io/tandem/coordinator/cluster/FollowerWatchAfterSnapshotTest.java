package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tandem.coordinator.server.CoordinatorServer;
import io.tandem.coordinator.testing.JoiningCoordinator;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.TransitionEvent;
import io.tandem.proto.admin.WatchRequest;
import io.tandem.proto.state.Transition;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An admin's Watch on a coordinator that is sent the leader's snapshot still gets every transition
 * inside it, in order: those entries are never applied one by one there, so before, its Watch
 * skipped them. A coordinator being added while the leader holds a snapshot is sent it first
 * (Ratis' bootstrap); so is a follower whose disk was replaced once the leader's log is purged.
 */
class FollowerWatchAfterSnapshotTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aWatchOnACoordinatorSentASnapshotGetsTheTransitionsInsideIt() throws Exception {
    try (JoiningCoordinator c4 = JoiningCoordinator.prepare("c4");
        MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(WAIT);
      client.createGroup("w", "a", "b");
      long token = 0;
      for (String to : List.of("a", "b", "a")) {
        token = ClusterFixtures.activateOk(cluster.leader(), "w", to, token);
      }
      cluster.awaitCaughtUp(WAIT);
      int leader = cluster.waitForLeader(WAIT);
      assertThat(cluster.server(leader).raft().takeSnapshot(10_000)).isPositive();
      List<Transition> history = cluster.server(leader).raft().stateMachine().state()
          .getGroupsOrThrow("w").getHistoryList();
      assertThat(history).hasSizeGreaterThanOrEqualTo(3);

      CoordinatorServer added = c4.start(cluster, leader);
      List<TransitionEvent> seen = new CopyOnWriteArrayList<>();
      ManagedChannel ch = ManagedChannelBuilder.forTarget(c4.peer().grpc().toString()).usePlaintext().build();
      try {
        AdminServiceGrpc.newStub(ch).watch(WatchRequest.newBuilder().setGroup("w").build(), collect(seen));
        Waits.sleep(300); // registered before c4 is added (and sent anything)
        assertThat(seen).isEmpty();
        client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS).addMember(c4.addRequest()));

        Waits.until("c4 applied the snapshot's group", WAIT,
            () -> added.raft().stateMachine().state().getGroupsMap().containsKey("w"));
        Waits.until("c4's Watch got " + history.size() + " transitions, has " + seen.size(),
            Duration.ofSeconds(10), () -> seen.size() >= history.size());
        assertThat(seen).extracting(TransitionEvent::getTransition).containsExactlyElementsOf(history);
        assertThat(seen).extracting(TransitionEvent::getGroup).containsOnly("w");

        // and what follows the snapshot arrives as before
        ClusterFixtures.activateOk(cluster.leader(), "w", "b", token);
        Waits.until("c4's Watch got the transition after the snapshot", Duration.ofSeconds(10),
            () -> seen.size() == history.size() + 1);
        assertThat(seen.get(history.size()).getTransition().getToInstance()).isEqualTo("b");
      } finally {
        ch.shutdownNow();
      }
    }
  }

  private static StreamObserver<TransitionEvent> collect(List<TransitionEvent> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(TransitionEvent e) {
        into.add(e);
      }

      @Override
      public void onError(Throwable t) {
        // the channel is shut down at the end
      }

      @Override
      public void onCompleted() {
        // likewise
      }
    };
  }
}

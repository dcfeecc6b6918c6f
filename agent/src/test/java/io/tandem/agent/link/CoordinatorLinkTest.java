package io.tandem.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.http.AgentMetrics;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The link against a real in-process coordinator cluster: heartbeats, watch, leader changes. */
class CoordinatorLinkTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private final List<long[]> replies = new CopyOnWriteArrayList<>(); // {sentAt, leaseMillis, token}
  private final List<HeartbeatResponse> responses = new CopyOnWriteArrayList<>();
  private final List<GroupUpdate> updates = new CopyOnWriteArrayList<>();
  private MiniCluster cluster;
  private CoordinatorLink link;

  @BeforeEach
  void start() throws Exception {
    cluster = MiniCluster.start(3);
    cluster.waitForLeader(LONG);
    try (TestClient c = new TestClient(cluster.grpcAddresses())) {
      c.createGroup("g", "a");
    }
    LinkListener listener = new LinkListener() {
      @Override
      public void onHeartbeat(long sentAtNanos, HeartbeatResponse r) {
        replies.add(new long[] {sentAtNanos, r.getLeaseMillis(), r.getAssignment().getToken()});
        responses.add(r);
      }

      @Override
      public void onGroupUpdate(GroupUpdate u) {
        updates.add(u);
      }
    };
    link = new CoordinatorLink(Arrays.asList(cluster.grpcAddresses().split(",")), "g", "a",
        LeaseSettings.defaults(), () -> HeartbeatRequest.newBuilder().setGroup("g").setInstance("a")
            .setRuntime(RuntimeState.RUNTIME_STANDBY).build(), listener,
        new AgentMetrics("g", "a"));
    link.start();
  }

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void await(String what, BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + LONG.toNanos();
    while (!c.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("timed out waiting for " + what).isNegative();
      Thread.sleep(10);
    }
  }

  @Test
  void heartbeatsObtainALeaseAndTheWatchStreamsTheAssignment() throws Exception {
    await("a granted lease", () -> replies.stream().anyMatch(r -> r[1] > 0));
    await("a watch update naming a", () -> updates.stream()
        .anyMatch(u -> u.getAssignment().getActive().equals("a")));
    long[] granted = replies.stream().filter(r -> r[1] > 0).findFirst().orElseThrow();
    assertThat(granted[1]).isEqualTo(2000);
    assertThat(granted[2]).isPositive();
    assertThat(link.target()).isEqualTo(cluster.grpcAddress(cluster.leaderIndex()));

    // heartbeats come every renewInterval (250 ms): about 4 per second, bounded either way
    int before = replies.size();
    Thread.sleep(2000);
    assertThat(replies.size() - before).isBetween(3, 16);

    // an on-demand heartbeat goes out at once
    int count = replies.size();
    long asked = System.nanoTime();
    link.heartbeatNow();
    await("the on-demand heartbeat", () -> replies.size() > count);
    assertThat(replies.get(count)[0]).isGreaterThanOrEqualTo(asked - TimeUnit.MILLISECONDS.toNanos(250));

    assertThat(link.reportFenced(granted[2], FenceReason.SHUTDOWN, "test").get(20, TimeUnit.SECONDS))
        .as("fence report delivered").isTrue();
  }

  @Test
  void followsTheNewLeaderAfterTheLeaderIsKilled() throws Exception {
    await("a granted lease", () -> replies.stream().anyMatch(r -> r[1] > 0));
    await("a watch update", () -> !updates.isEmpty());
    int old = cluster.leaderIndex();
    String oldAddress = cluster.grpcAddress(old);
    // counted before the kill: the new leader's first watch message may come before kill() returns
    int repliesAtKill = replies.size();
    int updatesAtKill = updates.size();
    long killedAt = System.nanoTime();
    cluster.kill(old);
    long killReturned = System.nanoTime();

    await("a reply from another coordinator", () -> responses.size() > repliesAtKill
        && !link.target().equals(oldAddress));
    await("the watch stream re-opened on the new leader", () -> updates.size() > updatesAtKill);
    await("a lease granted by the new leader", () -> replies.stream()
        .anyMatch(r -> r[0] > killReturned && r[1] > 0));
    System.out.printf("leader %s killed: heartbeats answered again after %d ms%n", oldAddress,
        (System.nanoTime() - killedAt) / 1_000_000);
    assertThat(link.target()).isNotEqualTo(oldAddress);
  }
}

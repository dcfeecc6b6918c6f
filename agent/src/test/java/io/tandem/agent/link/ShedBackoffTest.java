package io.tandem.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.http.AgentMetrics;
import io.tandem.coordinator.lease.LeaderHealth;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A standby's link against a degraded leader (three real in-process coordinators): the leader
 * sheds its repeat heartbeats with RESOURCE_EXHAUSTED, the link backs off by the hint instead of
 * calling again at once or leaving for another coordinator, and it is still served.
 */
class ShedBackoffTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void aStandbyBacksOffFromABusyLeaderAndStaysWithIt() throws Exception {
    List<HeartbeatResponse> replies = new CopyOnWriteArrayList<>();
    ScheduledExecutorService overload = Executors.newSingleThreadScheduledExecutor();
    AgentMetrics metrics = new AgentMetrics("g", "a");
    try (MiniCluster cluster = MiniCluster.start(3)) {
      int leader = cluster.waitForLeader(LONG);
      try (TestClient c = new TestClient(cluster.grpcAddresses())) {
        c.createGroup("g", "a", "b");
      }
      LinkListener listener = new LinkListener() {
        @Override
        public void onHeartbeat(long sentAtNanos, HeartbeatResponse r) {
          replies.add(r);
        }

        @Override
        public void onGroupUpdate(GroupUpdate u) {}
      };
      CoordinatorLink link = new CoordinatorLink(Arrays.asList(cluster.grpcAddresses().split(",")), "g", "a",
          LeaseSettings.defaults(), () -> HeartbeatRequest.newBuilder().setGroup("g").setInstance("a")
              .setRuntime(RuntimeState.RUNTIME_STANDBY).build(), listener, metrics);
      link.start();
      try {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (replies.isEmpty()) {
          assertThat(System.nanoTime() - deadline).as("a first answer").isNegative();
          Thread.sleep(10);
        }
        LeaderHealth health = cluster.server(leader).keeper().health();
        overload.scheduleAtFixedRate(() -> health.bad(System.nanoTime(), "test: overloaded"), 0, 50,
            TimeUnit.MILLISECONDS);
        Thread.sleep(200);
        int before = replies.size();
        Thread.sleep(3000);
        int served = replies.size() - before;
        // At 4 Hz a standby sends 12 heartbeats in 3 s; a busy leader serves it at most every 500 ms.
        assertThat(served).as("answers served while the leader was busy").isBetween(1, 7);
        assertThat(replies).allSatisfy(r -> assertThat(r.getLeaderId()).isEqualTo(cluster.server(leader)
            .config().nodeId()));
        assertThat(metrics.scrape()).containsPattern("tandem_agent_heartbeats_total\\{[^}]*result=\"shed\"[^}]*\\} [1-9]");
      } finally {
        overload.shutdownNow();
        link.close();
      }
    }
  }
}

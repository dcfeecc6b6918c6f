package io.tandem.it;

import static io.tandem.it.Safety.assertSafe;
import static io.tandem.it.Safety.awaitCall;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.CoordinatorNode;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Waits;
import io.tandem.it.witness.WitnessCall;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.state.Transition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults of the coordinators: the Raft leader dies; the whole cluster restarts. */
class CoordinatorFaultsIT {
  private static final Duration STEADY = Duration.ofSeconds(60);
  private static LocalCluster cluster;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.start(ClusterSpec.forCi(List.of("a", "b")).withGroup("line2"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void restore() {
    for (CoordinatorNode c : cluster.coordinators()) {
      if (!c.process().isAlive()) {
        c.process().start();
      }
    }
    cluster.awaitPeersCaughtUp(STEADY);
    cluster.awaitSteady(STEADY);
    assertSafe(cluster);
  }

  @Test
  void leaderLossCausesNoNodeRedFailover() throws Exception {
    GroupView before = cluster.group();
    AgentNode active = cluster.agent(before.getActive());
    CoordinatorNode[] killed = new CoordinatorNode[1];
    int mark = cluster.witness().size();
    long t0 = Faults.killLeader(cluster, killed);
    var status = cluster.awaitLeaderOtherThan(killed[0].id(), Duration.ofSeconds(20));
    System.out.printf("leader loss: %s killed, %s leads after %d ms%n", killed[0].id(), status.getLeaderId(),
        (System.nanoTime() - t0) / 1_000_000);
    assertThat(status.getLeaderId()).isNotEqualTo(killed[0].id());
    Waits.sleep(Duration.ofSeconds(5)); // two and a half leases: a failover would have happened by now
    GroupView after = cluster.group();
    assertThat(after.getActive()).isEqualTo(before.getActive());
    assertThat(after.getToken()).as("no new activation").isEqualTo(before.getToken());
    List<WitnessCall> during = cluster.witness().calls().subList(mark, cluster.witness().size());
    assertThat(during).as("calls while the leader changed").isNotEmpty()
        .allMatch(c -> c.accepted() && c.instance().equals(active.instance()) && c.token() == before.getToken());
    assertSafe(cluster);
  }

  @Test
  void wholeClusterRestartKeepsAssignmentAndTokens() throws Exception {
    GroupView before = cluster.group();
    List<Transition> history = cluster.admin().history(cluster.groupName());
    for (CoordinatorNode c : cluster.coordinators()) {
      c.process().kill();
    }
    for (CoordinatorNode c : cluster.coordinators()) {
      c.process().start();
    }
    cluster.awaitLeader(STEADY);
    GroupView after = Waits.until("the group after the restart", STEADY, Duration.ofMillis(100),
        () -> cluster.admin().tryGroup(cluster.groupName()));
    List<Transition> historyAfter = cluster.admin().history(cluster.groupName());
    assertThat(historyAfter.size()).isGreaterThanOrEqualTo(history.size());
    assertThat(historyAfter.subList(0, history.size())).as("committed history survives").isEqualTo(history);
    assertThat(after.getToken()).isGreaterThanOrEqualTo(before.getToken());
    if (after.getToken() == before.getToken()) {
      assertThat(after.getActive()).isEqualTo(before.getActive());
    }
    int mark = cluster.witness().size();
    AgentNode active = cluster.awaitSteady(STEADY);
    WitnessCall c = awaitCall(cluster, mark, WitnessCall::accepted, 20_000, "flows running after the restart");
    assertThat(c.token()).isGreaterThanOrEqualTo(before.getToken());
    assertThat(cluster.activeInstance()).isEqualTo(active.instance());
    assertSafe(cluster);
  }
}

package io.tandem.it;

import static io.tandem.it.Safety.assertSafe;
import static io.tandem.it.Safety.millis;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Tandemctl;
import io.tandem.it.witness.WitnessCall;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.InstanceView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * tandemctl restart on a two-instance group under the witness: the group runs Node-RED 4.1.7 and
 * is upgraded to 4.1.8 (both installed by the module's build, see integration-tests/pom.xml), one
 * instance after the other, with one planned switchover in between.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollingRestartIT {
  private static final String FROM = "4.1.7";
  private static final String TO = "4.1.8";
  /** The witness flow calls every 20 ms; a gap this long without a handover means the active stopped. */
  private static final long STALL_MILLIS = 1000;
  private static LocalCluster cluster;

  private static Path install(String version) {
    return Path.of(System.getProperty("user.home"), ".cache", "tandem", "node-red-" + version);
  }

  @BeforeAll
  static void start() {
    for (String v : List.of(FROM, TO)) {
      assertThat(install(v).resolve("node_modules/node-red/red.js"))
          .as("Node-RED %s installed (bin/install-node-red %s)", v, v).exists();
    }
    cluster = LocalCluster.start(ClusterSpec.forCi(List.of("a", "b")).withGroup("line1")
        .withNodeRed(install(FROM), List.of(install(FROM), install(TO))));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Map<String, Long> pids() {
    return cluster.agents().stream().collect(Collectors.toMap(AgentNode::instance,
        a -> a.nodeRedPid(Duration.ofSeconds(5))));
  }

  /** The group as the leader sees it (readiness, versions and pids are known there only). */
  private static GroupView leaderView() {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      var g = cluster.admin().tryGroup("line1");
      if (g.isPresent()) {
        return g.get();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("no leader answered GetGroup within 30 s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static Map<String, String> versions(GroupView g) {
    return g.getInstancesList().stream().collect(Collectors.toMap(InstanceView::getId,
        InstanceView::getNodeRedVersion));
  }

  @Test
  @Order(1)
  void anUnknownVersionIsRefusedAndNothingIsRestarted() {
    cluster.awaitSteady(Duration.ofSeconds(60));
    GroupView before = leaderView();
    Map<String, Long> pids = pids();
    Tandemctl.Result r = Tandemctl.run(cluster.coordinatorsCsv(), Duration.ofSeconds(120),
        "restart", "line1", "--node-red-version", "9.9.9");
    System.out.println(r.output());
    assertThat(r.exitCode()).as("tandemctl restart output:%n%s", r.output()).isEqualTo(1);
    assertThat(r.output()).contains("has no Node-RED 9.9.9 install")
        .contains((before.getActive().equals("a") ? "b" : "a") + " refused the restart and runs as before",
            "the active is " + before.getActive())
        .contains("run tandemctl restart line1 --node-red-version 9.9.9 again");
    GroupView after = leaderView();
    assertThat(after.getActive()).isEqualTo(before.getActive());
    assertThat(after.getToken()).isEqualTo(before.getToken());
    assertThat(pids()).isEqualTo(pids);
    assertThat(versions(after)).containsEntry("a", FROM).containsEntry("b", FROM);
    assertSafe(cluster);
  }

  @Test
  @Order(2)
  void rollingUpgradeRestartsBothWithOneSwitchoverGap() throws Exception {
    cluster.awaitSteady(Duration.ofSeconds(60));
    GroupView before = leaderView();
    String active = before.getActive();
    String standby = active.equals("a") ? "b" : "a";
    Map<String, Long> pids = pids();
    int mark = cluster.witness().size();
    Tandemctl.Result r = Tandemctl.run(cluster.coordinatorsCsv(), Duration.ofSeconds(300),
        "restart", "line1", "--node-red-version", TO);
    System.out.println(r.output());
    assertThat(r.exitCode()).as("tandemctl restart output:%n%s", r.output()).isZero();
    assertThat(r.output()).contains("[1/3] restart " + standby).contains("[2/3] switchover")
        .contains("[3/3] restart " + active);
    int end = cluster.witness().size();
    assertSafe(cluster);

    GroupView after = leaderView();
    assertThat(after.getActive()).as("the former standby is the active").isEqualTo(standby);
    assertThat(after.getToken()).isGreaterThan(before.getToken());
    InstanceView former = after.getInstancesList().stream().filter(i -> i.getId().equals(active)).findFirst()
        .orElseThrow();
    assertThat(former.getReady()).as("%s is a ready standby: %s", active, former.getNotReadyReason()).isTrue();
    assertThat(versions(after)).containsEntry("a", TO).containsEntry("b", TO);
    Map<String, Long> now = pids();
    for (String i : List.of("a", "b")) {
      assertThat(now.get(i)).as("%s's Node-RED pid after the restart", i).isNotEqualTo(pids.get(i));
      assertThat(ProcessHandle.of(pids.get(i)).map(ProcessHandle::isAlive).orElse(false))
          .as("%s's old Node-RED %d is gone", i, pids.get(i)).isFalse();
      assertThat(Files.readString(cluster.agent(i).process().log())).contains("launching it again now");
    }

    // availability: accepted calls all along, one handover (active -> standby), no other stall
    List<WitnessCall> accepted = new ArrayList<>(cluster.witness().calls().subList(mark, end)).stream()
        .filter(WitnessCall::accepted).toList();
    assertThat(accepted).isNotEmpty();
    int handovers = 0;
    long handoverGap = -1;
    long worstOther = 0;
    for (int k = 1; k < accepted.size(); k++) {
      WitnessCall p = accepted.get(k - 1);
      WitnessCall c = accepted.get(k);
      long gap = millis(c.nanos() - p.nanos());
      if (!p.instance().equals(c.instance())) {
        handovers++;
        handoverGap = gap;
        assertThat(p.instance()).isEqualTo(active);
        assertThat(c.instance()).isEqualTo(standby);
      } else {
        worstOther = Math.max(worstOther, gap);
      }
    }
    System.out.printf("rolling restart: %d accepted calls, handover gap %d ms, longest other gap %d ms%n",
        accepted.size(), handoverGap, worstOther);
    assertThat(handovers).as("handovers between accepted calls").isEqualTo(1);
    assertThat(worstOther).as("longest gap between two accepted calls of one instance (ms)")
        .isLessThan(STALL_MILLIS);
    assertThat(accepted.get(0).instance()).isEqualTo(active);
    assertThat(accepted.get(accepted.size() - 1).instance()).isEqualTo(standby);
  }
}

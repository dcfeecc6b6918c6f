package io.tandem.it;

import static io.tandem.it.Safety.assertSafe;
import static io.tandem.it.Safety.awaitCall;
import static io.tandem.it.Safety.millis;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Tandemctl;
import io.tandem.it.harness.Waits;
import io.tandem.it.witness.WitnessCall;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults of the active Node-RED and its agent, on one shared cluster (a, b). Each test ends with the
 * cluster restored: an active serving the witness and a ready standby.
 */
class NodeRedFailoverIT {
  private static final Duration STEADY = Duration.ofSeconds(60);
  private static LocalCluster cluster;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.start(ClusterSpec.forCi(List.of("a", "b")).withGroup("line1"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void restore() {
    for (AgentNode a : cluster.agents()) {
      if (!a.process().isAlive()) {
        a.process().start();
      }
    }
    cluster.awaitSteady(STEADY);
    assertSafe(cluster);
  }

  private AgentNode active() {
    return cluster.agent(cluster.activeInstance());
  }

  private static boolean gone(long pid) {
    return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
  }

  @Test
  void crashOfTheActiveNodeRedHandsOverToTheStandby() throws Exception {
    AgentNode old = active();
    long token = cluster.group().getToken();
    int mark = cluster.witness().size();
    long t0 = Faults.crashNodeRed(old);
    WitnessCall first = awaitCall(cluster, mark, c -> c.accepted() && !c.instance().equals(old.instance()),
        15_000, "the standby's first accepted call");
    assertThat(first.token()).isGreaterThan(token);
    System.out.printf("crash: standby served after %d ms%n", millis(first.nanos() - t0));
    assertSafe(cluster);
  }

  @Test
  void hungActiveNodeRedIsKilledAndReplaced() throws Exception {
    AgentNode old = active();
    long hungPid = old.nodeRedPid(Duration.ofSeconds(5));
    int mark = cluster.witness().size();
    long t0 = Faults.hangNodeRed(old);
    WitnessCall first = awaitCall(cluster, mark, c -> c.accepted() && !c.instance().equals(old.instance()),
        20_000, "the standby's first accepted call after the hang");
    System.out.printf("hang: standby served after %d ms%n", millis(first.nanos() - t0));
    Waits.until("the hung Node-RED " + hungPid + " killed by its agent", Duration.ofSeconds(15), () -> gone(hungPid));
    assertSafe(cluster);
  }

  @Test
  void killedAgentTakesItsNodeRedWithIt() throws Exception {
    AgentNode old = active();
    long[] nodeRedPid = new long[1];
    int mark = cluster.witness().size();
    long t0 = Faults.killAgentJvm(old, nodeRedPid);
    Waits.until("Node-RED " + nodeRedPid[0] + " to die with its agent", Duration.ofSeconds(5), () -> gone(nodeRedPid[0]));
    WitnessCall first = awaitCall(cluster, mark, c -> c.accepted() && !c.instance().equals(old.instance()),
        20_000, "the standby's first accepted call after the agent died");
    System.out.printf("agent killed: standby served after %d ms%n", millis(first.nanos() - t0));
    assertSafe(cluster);
  }

  @Test
  void plannedSwitchoverWithTandemctl() throws Exception {
    AgentNode old = active();
    AgentNode target = cluster.standby().orElseThrow();
    int mark = cluster.witness().size();
    Tandemctl.Result r = Tandemctl.run(cluster.coordinatorsCsv(), Duration.ofSeconds(60),
        "switchover", cluster.groupName(), "--to", target.instance());
    assertThat(r.exitCode()).as("tandemctl switchover output:%n%s", r.output()).isZero();
    WitnessCall first = awaitCall(cluster, mark, c -> c.accepted() && c.instance().equals(target.instance()),
        10_000, "the new active's first accepted call");
    Optional<WitnessCall> lastOld = cluster.witness().calls().stream()
        .filter(c -> c.seq() < first.seq() && c.instance().equals(old.instance())).reduce((x, y) -> y);
    assertThat(cluster.activeInstance()).isEqualTo(target.instance());
    lastOld.ifPresent(c -> System.out.printf("switchover: gap %d ms%n", millis(first.nanos() - c.nanos())));
    assertSafe(cluster);
  }

  @Test
  void withoutStandbysTheActiveKeepsRunningAndAReturningStandbyIsUsed() throws Exception {
    AgentNode act = active();
    AgentNode standby = cluster.standby().orElseThrow();
    long token = cluster.group().getToken();
    standby.process().kill();
    int mark = cluster.witness().size();
    Waits.sleep(Duration.ofSeconds(3)); // longer than a lease: the active must keep its lease alone
    List<WitnessCall> during = cluster.witness().calls().subList(mark, cluster.witness().size());
    assertThat(during).isNotEmpty().allMatch(c -> c.accepted() && c.instance().equals(act.instance())
        && c.token() == token);
    // Now the active's Node-RED crashes while no standby is ready: it must come back by itself.
    int mark2 = cluster.witness().size();
    Faults.crashNodeRed(act);
    WitnessCall again = awaitCall(cluster, mark2, c -> c.accepted() && c.token() != token, 30_000,
        "flows running again under a new token");
    assertThat(again.instance()).isEqualTo(act.instance());
    assertThat(again.token()).isGreaterThan(token);
    standby.process().start();
    cluster.awaitSteady(STEADY);
    assertThat(standby.status().orElseThrow().isReadyStandby()).isTrue();
    assertSafe(cluster);
  }
}

package io.tandem.it;

import static io.tandem.it.Safety.assertSafe;
import static io.tandem.it.Safety.awaitCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.CoordinatorNode;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Tandemctl;
import io.tandem.it.harness.Waits;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.state.Transition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replacing a dead coordinator host (docs/coordinator.md), on processes, by a quick operator: c4
 * runs on a new, empty data dir when a follower ("c3" below, whichever is not the leader) is
 * SIGKILLed for good; adding c4 right after the kill, while c3 is a member, is refused (the four
 * would need the cold c4 for a majority), so c3 is removed with {@code tandemctl members remove}
 * and c4 added with {@code tandemctl members add}, under the same leader in the same term. The group, its token, history and flows survive; the agents (real agents with real
 * Node-RED, whose YAML names c1..c3 only) learn c4 from the heartbeats; a leader loss and a
 * Node-RED failover afterwards work without c3; and removing a second member that would leave no
 * reachable majority is refused.
 */
class CoordinatorReplacementIT {
  private static final Duration STEADY = Duration.ofSeconds(60);
  private static final Duration CTL = Duration.ofSeconds(60);
  private static LocalCluster cluster;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.start(ClusterSpec.forCi(List.of("a", "b")).withGroup("line5"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static CoordinatorNode coordinator(String id) {
    return cluster.coordinators().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
  }

  private static String csv(List<CoordinatorNode> nodes) {
    return String.join(",", nodes.stream().filter(c -> c.process().isAlive()).map(CoordinatorNode::grpcAddress).toList());
  }

  private static boolean logHas(AgentNode a, String text) {
    try {
      return Files.readString(a.process().log()).contains(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static io.tandem.proto.admin.ClusterStatusResponse leaderStatus() {
    return Waits.until("the leader's status", STEADY, Duration.ofMillis(100),
        () -> cluster.admin().tryClusterStatusFromLeader());
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  @Test
  void aDeadCoordinatorIsReplacedAndTheClusterKeepsWorkingWithoutIt() throws Exception {
    // the quick operator: the replacement c4 already runs (waiting to be added, join: true) when a
    // follower's host dies, and the add comes right after the kill, while the leader's last answer
    // from the dead one is still recent (CI, before the add confirmed who answers: proposed, and
    // the four needed the cold c4 for their majority; the leader stepped down)
    cluster.awaitSteady(STEADY);
    var leaderBefore = leaderStatus();
    CoordinatorNode c3 = cluster.coordinators().stream()
        .filter(c -> !c.id().equals(leaderBefore.getLeaderId())).reduce((a, b) -> b).orElseThrow();
    GroupView before = cluster.group();
    List<Transition> history = cluster.admin().history(cluster.groupName());
    String flows = cluster.admin().exportFlows(cluster.groupName(), 0);
    CoordinatorNode c4 = cluster.startNewCoordinator("c4", c3);
    c4.process().awaitListening(port(c4.raftAddress()), STEADY);
    c4.process().awaitListening(port(c4.grpcAddress()), STEADY);

    long killedAt = System.nanoTime();
    c3.process().kill(); // SIGKILL, for good: its host is gone
    // adding first would make the four depend on the cold c4 for their majority: refused, naming
    // the dead one and when the leader last heard from it (sent from the connected admin client:
    // a tandemctl process would first start a JVM, seconds here, and come after c3 was known dead)
    long sentAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
    StatusRuntimeException early = catchThrowableOfType(
        StatusRuntimeException.class, () -> cluster.admin().addMember("c4", c4.raftAddress(), c4.grpcAddress()));
    assertThat(early).as("an add " + sentAfterMillis + " ms after " + c3.id() + "'s SIGKILL").isNotNull();
    assertThat(early.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(early.getStatus().getDescription()).contains("remove the unreachable [" + c3.id() + "] first",
        c3.id() + " last answered the leader", "retry when it is back");
    System.out.println("an add " + sentAfterMillis + " ms after " + c3.id() + "'s SIGKILL: "
        + early.getStatus().getDescription());
    Tandemctl.Result remove = Tandemctl.run(csv(cluster.coordinators()), CTL, "members", "remove", c3.id());
    assertThat(remove.exitCode()).as(remove.output()).isZero();
    Tandemctl.Result add = Tandemctl.run(csv(cluster.coordinators()), CTL,
        "members", "add", "c4", c4.raftAddress(), c4.grpcAddress());
    assertThat(add.exitCode()).as(add.output()).isZero();
    assertThat(add.output()).contains("members add c4: done").contains(c4.grpcAddress());
    // the replacement did not cost the leader: the same one, in the same term
    var leaderAfter = leaderStatus();
    assertThat(leaderAfter.getLeaderId() + " term " + leaderAfter.getTerm())
        .isEqualTo(leaderBefore.getLeaderId() + " term " + leaderBefore.getTerm());
    cluster.retire(c3);
    cluster.awaitPeersCaughtUp(STEADY);

    // the new coordinator alone knows the members, c4 with its gRPC address, the dead one gone
    Tandemctl.Result list = Tandemctl.run(c4.grpcAddress(), CTL, "--json", "members", "list");
    assertThat(list.exitCode()).as(list.output()).isZero();
    assertThat(list.output()).contains("\"c4\"", c4.grpcAddress()).doesNotContain("\"" + c3.id() + "\"");
    for (CoordinatorNode c : cluster.coordinators()) {
      assertThat(list.output()).contains("\"" + c.id() + "\"");
    }

    // the agents learned c4 from the cluster (their YAML names c1, c2, c3)
    for (AgentNode a : cluster.agents()) {
      Waits.until("agent " + a.instance() + " learned c4", STEADY, Duration.ofMillis(200),
          () -> logHas(a, "coordinators now:") && logHas(a, c4.grpcAddress()) ? Optional.of(true) : Optional.empty());
    }

    // groups, tokens, history and flows survived
    GroupView after = cluster.group();
    assertThat(after.getActive()).isEqualTo(before.getActive());
    assertThat(after.getToken()).as("no new activation").isEqualTo(before.getToken());
    assertThat(after.getCurrentRevision()).isEqualTo(before.getCurrentRevision());
    assertThat(cluster.admin().history(cluster.groupName()).subList(0, history.size())).isEqualTo(history);
    assertThat(cluster.admin().exportFlows(cluster.groupName(), 0)).isEqualTo(flows);

    // a leader loss afterwards: the other two (c4 among them) elect a leader; the group keeps running
    CoordinatorNode[] killed = new CoordinatorNode[1];
    Faults.killLeader(cluster, killed);
    var status = cluster.awaitLeaderOtherThan(killed[0].id(), Duration.ofSeconds(20));
    System.out.printf("after the replacement: %s killed, %s leads%n", killed[0].id(), status.getLeaderId());
    // (whether a leader loss alone causes no Node-RED failover is CoordinatorFaultsIT's subject)
    AgentNode active = cluster.awaitSteady(STEADY);
    long tokenBefore = cluster.group().getToken();

    // a Node-RED failover afterwards: the standby takes over under a new token
    int mark = cluster.witness().size();
    Faults.crashNodeRed(active);
    var call = awaitCall(cluster, mark, c -> c.accepted() && !c.instance().equals(active.instance()), 30_000,
        "the standby serving after the active's Node-RED crashed");
    assertThat(call.token()).isGreaterThan(tokenBefore);

    // removing a live member now would leave {the killed one, one live}: no majority, refused
    CoordinatorNode live = cluster.coordinators().stream()
        .filter(c -> c != killed[0] && c.process().isAlive()).findFirst().orElseThrow();
    Tandemctl.Result refused = Tandemctl.run(csv(cluster.coordinators()), CTL, "members", "remove", live.id());
    assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
    assertThat(refused.output()).contains("would lose the majority");
    Tandemctl.Result still = Tandemctl.run(csv(cluster.coordinators()), CTL, "--json", "members", "list");
    assertThat(still.output()).contains("\"" + killed[0].id() + "\"", "\"" + live.id() + "\"");
    assertSafe(cluster);
  }
}

package io.tandem.it.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.it.harness.Waits;
import io.tandem.proto.admin.ClusterStatusResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the hosts-file trick of {@link PeerMesh} on three real coordinator processes: all Raft
 * traffic runs through the per-direction proxies, isolating the leader elects another one, and
 * the old leader steps down and rejoins after the heal.
 */
class CoordinatorPeerPartitionIT {
  private static final Duration BOOT = Duration.ofSeconds(90);
  private static final Duration ELECTION = Duration.ofSeconds(30);

  @TempDir Path dir;
  private MeshedCoordinators cluster;

  private void start(Map<String, ClockFault> clocks) throws IOException {
    cluster = new MeshedCoordinators(dir, clocks);
    cluster.start();
  }

  @AfterEach
  void stop() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The leader that every coordinator in {@code ids} names, if they agree on one. */
  private Optional<ClusterStatusResponse> agreedLeader(java.util.List<String> ids) {
    Map<String, ClusterStatusResponse> answers = ids.stream()
        .map(id -> Map.entry(id, cluster.statusOf(id)))
        .filter(e -> e.getValue().isPresent())
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    if (answers.size() < ids.size()) {
      return Optional.empty();
    }
    var leaders = answers.values().stream().map(ClusterStatusResponse::getLeaderId).collect(Collectors.toSet());
    if (leaders.size() != 1 || leaders.contains("")) {
      return Optional.empty();
    }
    String leader = leaders.iterator().next();
    return Optional.ofNullable(answers.get(leader)).or(() -> answers.values().stream().findFirst());
  }

  @Test
  void isolatingTheLeaderElectsAnotherAndHealingLetsItRejoin() throws Exception {
    start(Map.of());
    isolateLeaderAndHeal();
  }

  /** libfaketime inside the drift bound: Ratis in a JVM with scaled clocks still elects and rejoins. */
  @Test
  void theSameWithClocksDriftingWithinTheBound() throws Exception {
    start(Map.of("c1", new ClockFault(1.0045), "c2", new ClockFault(0.9955)));
    isolateLeaderAndHeal();
    // the launcher exec's java in the same process: libfaketime is loaded into c1's and c2's JVM
    assertThat(Files.readString(Path.of("/proc/" + cluster.pid("c1") + "/maps"))).contains("libfaketime");
    assertThat(Files.readString(Path.of("/proc/" + cluster.pid("c3") + "/maps"))).doesNotContain("libfaketime");
  }

  private void isolateLeaderAndHeal() throws Exception {
    ClusterStatusResponse before;
    try {
      before = Waits.until("a leader all three agree on", BOOT, Duration.ofMillis(200),
          () -> agreedLeader(MeshedCoordinators.IDS));
    } catch (RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\n" + String.join("\n", cluster.logTails()), e);
    }
    String old = before.getLeaderId();
    PeerMesh mesh = cluster.mesh();

    // Every coordinator binds its Raft server to its own address only, and the peers reach each
    // other only through the proxies.
    for (String id : MeshedCoordinators.IDS) {
      int port = mesh.realAddress(id).getPort();
      try (Socket s = new Socket()) {
        s.connect(mesh.realAddress(id), 2000);
      }
      assertThatThrownBy(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        }
      }).isInstanceOf(IOException.class);
    }
    for (String other : MeshedCoordinators.IDS) {
      if (!other.equals(old)) {
        assertThat(mesh.link(old, other).acceptedConnections()).as(old + "->" + other).isPositive();
      }
    }

    mesh.isolate(old);
    var others = MeshedCoordinators.IDS.stream().filter(id -> !id.equals(old)).toList();
    ClusterStatusResponse after = Waits.until("a new leader among " + others, ELECTION, Duration.ofMillis(100),
        () -> agreedLeader(others).filter(s -> !s.getLeaderId().equals(old)));
    assertThat(after.getTerm()).isGreaterThan(before.getTerm());
    Waits.until(old + " steps down while isolated", ELECTION,
        () -> cluster.statusOf(old).filter(s -> !s.getLeaderId().equals(old)).isPresent());

    mesh.heal();
    ClusterStatusResponse healed = Waits.until(old + " follows the new leader", ELECTION, Duration.ofMillis(100),
        () -> agreedLeader(MeshedCoordinators.IDS).filter(s -> !s.getLeaderId().equals(old)));
    assertThat(healed.getTerm()).isGreaterThanOrEqualTo(after.getTerm());
    long commit = cluster.statusOf(healed.getLeaderId()).orElseThrow().getCommitIndex();
    Waits.until(old + " catches up with the log", ELECTION,
        () -> cluster.statusOf(old).filter(s -> s.getCommitIndex() >= commit).isPresent());
  }
}

package io.tandem.coordinator.process;

import static io.tandem.coordinator.process.CoordinatorProcesses.groupNames;
import static io.tandem.coordinator.process.CoordinatorProcesses.peer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * docs/coordinator.md "Replace a coordinator's disk", as an operator does it: stop a follower
 * (SIGTERM), empty its data dir, start it with the same config. It must hold every group again
 * within seconds (before the fix it stayed at commit index -1 for minutes while the leader
 * showed it with lag 0), and the leader must report it caught up (lag 0) once it is. That the
 * leader never reports lag 0 before is checked on every poll in DiskReplacementTest.
 */
class DiskReplacementProcessIT {
  private static final Duration START_BOUND = Duration.ofSeconds(90);
  /** From the restarted node serving; each tandemctl poll costs a JVM start (seconds under load). */
  private static final Duration CATCH_UP_BOUND = Duration.ofSeconds(30);

  private Path work;
  private CoordinatorProcesses cluster;

  @AfterEach
  void cleanUp() {
    if (cluster != null) {
      cluster.close();
    }
    if (work != null) {
      ProcessFixture.deleteTree(work);
    }
  }

  @Test
  void aFollowerStartedOnAnEmptyDataDirReceivesTheStateAndIsReportedBehindUntilThen() throws Exception {
    work = Files.createTempDirectory("tandem-disk-it-");
    cluster = new CoordinatorProcesses(work, 3);
    cluster.startAll();
    cluster.statusUntil(cluster.allGrpc(), "a leader", START_BOUND, s -> !s.get("leader").asText().isEmpty());
    for (String g : new String[] {"line1", "line2", "line3"}) {
      cluster.ctlWrite(START_BOUND, "group", "create", g, "--instance", "a:2", "--instance", "b:1");
    }
    JsonNode before = cluster.statusUntil(cluster.allGrpc(), "every peer caught up", START_BOUND,
        s -> groupNames(s).size() == 3 && allLagZero(s));
    String leader = before.get("leader").asText();
    int victim = leader.equals("c3") ? 1 : 2;
    String victimId = cluster.id(victim);

    // 143: the JVM's own exit status after SIGTERM, once the graceful stop ran
    assertThat(cluster.stop(victim)).as("exit code after SIGTERM").isIn(0, 143);
    ProcessFixture.deleteTree(cluster.dataDir(victim));
    // Nothing is written while it is away (the steps): the leader has only heartbeats to
    // send it, and Ratis alone never ships the log again then. (With an entry written meanwhile,
    // Ratis' handling of the reply to that append may ship it first: DiskReplacementTest.)

    cluster.start(victim);
    cluster.logUntil(victim, "coordinator " + victimId + " serving", START_BOUND);
    long started = System.nanoTime();
    // Asked alone, the replaced node answers from its own applied state.
    JsonNode own = cluster.statusUntil(cluster.grpc(victim), victimId + " holding every group", CATCH_UP_BOUND,
        s -> s.get("answeredBy").asText().equals(victimId) && groupNames(s).size() == 3);
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("emptied %s: serving -> every group held (seen by tandemctl): %d ms%n", victimId, millis);
    assertThat(groupNames(own)).containsExactlyInAnyOrder("line1", "line2", "line3");

    JsonNode after = cluster.statusUntil(cluster.allGrpc(), victimId + " caught up in the leader's view",
        CATCH_UP_BOUND, DiskReplacementProcessIT::allLagZero);
    assertThat(peer(after, victimId).get("role").asText()).as(after + cluster.logTails()).isEqualTo("FOLLOWER");
    if (after.get("term").asLong() != before.get("term").asLong()
        || after.get("commitIndex").asLong() != before.get("commitIndex").asLong()) {
      // A leader elected after the restart starts every follower's appender afresh, and an entry
      // committed meanwhile lets Ratis ship the log by itself: then the resync is not the only way
      // (DiskReplacementTest covers it under a fixed leader); the catch-up is asserted above.
      System.out.printf("term %d -> %d, commit index %d -> %d during the run: resync log line not required%n",
          before.get("term").asLong(), after.get("term").asLong(),
          before.get("commitIndex").asLong(), after.get("commitIndex").asLong());
      return;
    }
    assertThat(cluster.allLogs()).as(cluster.logTails())
        .contains("peer " + victimId + " lost log entries it had acknowledged");
  }

  private static boolean allLagZero(JsonNode s) {
    if (s.get("leader").asText().isEmpty()) {
      return false;
    }
    for (JsonNode p : s.get("peers")) {
      if (p.get("lag").asLong() != 0) {
        return false;
      }
    }
    return true;
  }
}

package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.Waits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A crashed follower is reported by the leader as UNREACHABLE with the age of its last contact,
 * not as a FOLLOWER whose lag keeps growing.
 */
class StatusUnreachablePeerTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void killedFollowerIsShownUnreachableByTheLeader() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3)) {
      int leader = cluster.waitForLeader(LONG);
      cluster.awaitCaughtUp(LONG);
      int victim = (leader + 1) % 3;
      int survivor = (leader + 2) % 3;
      String victimId = "c" + (victim + 1);
      String survivorId = "c" + (survivor + 1);

      JsonNode before = status(cluster, leader).json();
      assertThat(peer(before, victimId).get("role").asText()).isEqualTo("FOLLOWER");
      assertThat(peer(before, victimId).get("lastContactMillis").asLong()).isBetween(0L, 999L);

      cluster.kill(victim);

      JsonNode after = null;
      long deadline = System.nanoTime() + LONG.toNanos();
      while (System.nanoTime() < deadline) {
        CtlRun run = status(cluster, leader);
        if (run.exitCode() == 0) {
          after = run.json();
          if (peer(after, victimId).get("role").asText().equals("UNREACHABLE")) {
            break;
          }
        }
        Waits.sleep(100);
      }
      assertThat(after).as("a status answer from the leader").isNotNull();
      assertThat(after.get("answeredBy").asText()).isEqualTo("c" + (leader + 1));
      JsonNode dead = peer(after, victimId);
      assertThat(dead.get("role").asText()).as(after.toPrettyString()).isEqualTo("UNREACHABLE");
      assertThat(dead.get("lastContactMillis").asLong()).isGreaterThan(1000L);
      JsonNode alive = peer(after, survivorId);
      assertThat(alive.get("role").asText()).isEqualTo("FOLLOWER");
      assertThat(alive.get("lastContactMillis").asLong()).isBetween(0L, 1000L);
      assertThat(peer(after, "c" + (leader + 1)).get("lastContactMillis").asLong()).isEqualTo(-1L);

      CtlRun table = CtlRun.at(cluster.grpcAddress(leader), "--timeout", "10s", "status");
      assertThat(table.exitCode()).as(table.toString()).isZero();
      assertThat(table.out()).contains("LAST CONTACT").contains("UNREACHABLE")
          .contains("warning: peer " + victimId + " is unreachable");
    }
  }

  private static CtlRun status(MiniCluster cluster, int leader) {
    return CtlRun.at(cluster.grpcAddress(leader), "--timeout", "10s", "--json", "status");
  }

  private static JsonNode peer(JsonNode status, String id) {
    for (JsonNode p : status.get("peers")) {
      if (p.get("id").asText().equals(id)) {
        return p;
      }
    }
    throw new AssertionError("no peer " + id + " in " + status);
  }
}

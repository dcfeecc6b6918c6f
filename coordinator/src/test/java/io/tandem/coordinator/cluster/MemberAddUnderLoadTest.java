package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.ratis.RaftNode;
import io.tandem.coordinator.testing.JoiningCoordinator;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.admin.MembersResponse;
import io.tandem.proto.admin.PeerInfo;
import io.tandem.proto.admin.RemoveMemberRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A healthy cluster's add and remove, with every coordinator up, still succeed while the CPU is
 * saturated (more busy threads than cores, in the coordinators' own JVM): a membership change
 * counts a follower only once it answered a heartbeat sent after the request arrived, and waits
 * up to 3 s for that, while a running follower is sent one every 75 ms. Prints the longest time
 * a follower went without answering a heartbeat under this load (the margin that 1 s leaves).
 */
class MemberAddUnderLoadTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static volatile long sink; // keeps the busy loops from being optimized away

  @Test
  void aHealthyClustersAddAndRemoveSucceedUnderCpuLoad() throws Exception {
    AtomicBoolean burning = new AtomicBoolean(true);
    List<Thread> burners = new ArrayList<>();
    try (JoiningCoordinator c4 = JoiningCoordinator.prepare("c4");
        MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(WAIT);
      client.createGroup("line1", "a", "b");
      cluster.awaitCaughtUp(WAIT);
      int leader = cluster.leaderIndex();

      c4.start(cluster, leader);

      int threads = 2 * Runtime.getRuntime().availableProcessors();
      for (int i = 0; i < threads; i++) {
        Thread t = new Thread(() -> {
          long x = 0;
          while (burning.get()) {
            x += System.nanoTime() % 7;
          }
          sink = x;
        }, "cpu-burner-" + i);
        t.setDaemon(true);
        t.start();
        burners.add(t);
      }

      // how long followers go without answering a heartbeat under this load, for 5 s
      RaftNode raft = cluster.server(leader).raft();
      Map<String, Long> longestMillis = new TreeMap<>();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < until) {
        raft.followerAnsweredRequestAgeNanos().forEach((id, age) ->
            longestMillis.merge(id, age / 1_000_000, Math::max));
        Thread.sleep(5);
      }

      long start = System.nanoTime();
      MembersResponse added = client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS)
          .addMember(c4.addRequest()));
      long addMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(added.getMembersList()).extracting(PeerInfo::getId).containsExactlyInAnyOrder("c1", "c2", "c3", "c4");
      start = System.nanoTime();
      MembersResponse removed = client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS)
          .removeMember(RemoveMemberRequest.newBuilder().setId("c4").build()));
      long removeMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(removed.getMembersList()).extracting(PeerInfo::getId).containsExactlyInAnyOrder("c1", "c2", "c3");
      burning.set(false);
      System.out.printf("under load (%d busy threads, %d cores; loadavg %s): longest age of a follower's"
          + " newest answered heartbeat over 5 s %s ms (a membership change waits up to 3000 ms for answers); add took %d ms,"
          + " remove %d ms%n", threads, Runtime.getRuntime().availableProcessors(),
          Files.readString(Path.of("/proc/loadavg")).trim(), longestMillis, addMillis, removeMillis);
    } finally {
      burning.set(false);
      for (Thread t : burners) {
        t.join(5000);
      }
    }
  }
}

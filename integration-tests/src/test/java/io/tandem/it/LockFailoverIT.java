package io.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.flows.LockFlow;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.locks.LockRuns;
import io.tandem.it.locks.LockRuns.Move;
import io.tandem.proto.admin.LockView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * End to end, real processes: an all-active group of three Node-RED instances (three coordinators
 * with mutual TLS, one agent each), flows with five {@code tandem leader} nodes (k1..k5), each behind
 * an inject every 50 ms, calling the witness with the lock's token. The locks spread; then SIGKILL,
 * hang and SIGSTOP (longer than the lease, then SIGCONT) of a holder's Node-RED, and SIGSTOP of a
 * holder's whole host (agent and Node-RED, longer than the lease, then SIGCONT): each time the key
 * moves to another instance under a higher token, the witness never sees two holders of one key at
 * once, and the tokens of every key strictly increase.
 */
class LockFailoverIT {
  private static final List<String> KEYS = LockFlow.keys(5);

  @Test
  void locksSpreadAndMoveSafelyUnderCrashHangAndPause() throws Exception {
    ClusterSpec spec = ClusterSpec.forCi(List.of("a", "b", "c")).withGroup("locks").allActive(KEYS);
    try (LocalCluster cluster = LocalCluster.start(spec)) {
      assertThat(cluster.group().getMode()).isEqualTo("all-active");
      assertThat(cluster.group().getActive()).isEmpty();
      Map<String, LockView> locks = cluster.awaitLocksSteady(LockRuns.STEADY);
      Map<String, Long> perHolder = locks.values().stream()
          .collect(Collectors.groupingBy(LockView::getHolder, Collectors.counting()));
      assertThat(locks.keySet()).as("every key held: %s", cluster.describeLocks()).containsAll(KEYS);
      assertThat(perHolder.values()).as("spread: %s", cluster.describeLocks()).allMatch(n -> n < KEYS.size());
      assertThat(perHolder).as("spread over the instances: %s", cluster.describeLocks()).hasSizeGreaterThan(1);

      LockRuns runs = new LockRuns(cluster);
      Move crash = runs.crash("k1");
      Move hang = runs.hang("k2");
      Move stop = runs.pauseNodeRed("k3", spec.lease().multipliedBy(3));
      Move host = runs.pauseAndReturn("k4", spec.lease().multipliedBy(3));
      for (Move m : List.of(crash, hang, stop, host)) {
        System.out.println("LockFailoverIT: " + m);
        assertThat(m.to()).as("%s moved", m).isNotEqualTo(m.from());
        assertThat(m.toToken()).as("%s: higher token", m).isGreaterThan(m.fromToken());
        assertThat(m.overlapped()).as("%s: two holders at once", m).isFalse();
      }
      assertThat(LockRuns.violations(cluster.witness())).as("witness history per key (logs in %s)",
          cluster.workDir()).isEmpty();
      assertThat(cluster.witness().calls()).as("calls for every key").extracting(c -> c.key())
          .containsAll(KEYS);
    }
  }
}

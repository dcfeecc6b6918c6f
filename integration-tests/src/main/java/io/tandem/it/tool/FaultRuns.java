package io.tandem.it.tool;

import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.CoordinatorNode;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Waits;
import io.tandem.it.witness.WitnessCall;
import io.tandem.proto.admin.SwitchoverResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One run of each fault on a steady cluster; each returns milliseconds from the fault to the
 * standby's first accepted witness call (switchover: the gap without accepted calls), and leaves the
 * cluster steady again.
 */
final class FaultRuns {
  static final Duration STEADY = Duration.ofSeconds(90);
  private static final long TAKEOVER_TIMEOUT_MS = 30_000;
  static final long COORDINATOR_WARMUP_SECONDS = Long.getLong("tandem.bench.warmupSeconds", 10);
  private final LocalCluster cluster;

  FaultRuns(LocalCluster cluster) {
    this.cluster = cluster;
  }

  private AgentNode active() {
    return cluster.agent(cluster.activeInstance());
  }

  private long takeover(int mark, String old, long t0) throws InterruptedException {
    Optional<WitnessCall> c = cluster.witness().await(mark, x -> x.accepted() && !x.instance().equals(old),
        TAKEOVER_TIMEOUT_MS);
    if (c.isEmpty()) {
      throw new IllegalStateException("no takeover within " + TAKEOVER_TIMEOUT_MS + " ms (logs in " + cluster.workDir() + ")");
    }
    return (c.get().nanos() - t0) / 1_000_000;
  }

  long crash() throws InterruptedException {
    AgentNode old = active();
    int mark = cluster.witness().size();
    long t0 = Faults.crashNodeRed(old);
    long ms = takeover(mark, old.instance(), t0);
    cluster.awaitSteady(STEADY);
    return ms;
  }

  /**
   * SIGKILL of the active's Node-RED -> the group has a ready standby again: the old instance, whose
   * agent restarted its Node-RED, is ready in the leader's view and the group is no longer
   * without a ready standby ({@code without_ready_standby_millis} 0).
   */
  long restored() throws InterruptedException {
    AgentNode old = active();
    int mark = cluster.witness().size();
    long t0 = Faults.crashNodeRed(old);
    takeover(mark, old.instance(), t0);
    long ms = untilReadyStandby(old, t0);
    cluster.awaitSteady(STEADY);
    return ms;
  }

  /**
   * A crash loop: the active's Node-RED is killed, then that instance's Node-RED again each time
   * it has become a ready standby, {@value #CRASH_LOOP_KILLS} kills in all; returns the last kill
   * -> a ready standby again (what the restart backoff makes of a runtime that keeps dying).
   */
  long crashLoop() throws InterruptedException {
    AgentNode old = active();
    int mark = cluster.witness().size();
    long t0 = Faults.crashNodeRed(old);
    takeover(mark, old.instance(), t0);
    for (int k = 1; k < CRASH_LOOP_KILLS; k++) {
      long ms = untilReadyStandby(old, t0);
      System.out.printf("    crash loop kill %d: ready standby again after %d ms%n", k, ms);
      t0 = Faults.crashNodeRed(old);
    }
    long ms = untilReadyStandby(old, t0);
    cluster.awaitSteady(STEADY);
    return ms;
  }

  static final int CRASH_LOOP_KILLS = 4;
  private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * First the leader's view no longer has {@code old} ready (right after a kill it still may: its
   * last heartbeat said so), then a ready standby again: {@code old} ready, an active other than it,
   * and the group not without a ready standby.
   */
  private long untilReadyStandby(AgentNode old, long t0) {
    Waits.until("the leader's view without " + old.instance() + " ready (its Node-RED killed)", RESTORE_TIMEOUT,
        Duration.ofMillis(5), () -> cluster.admin().tryGroup(cluster.groupName())
            .filter(g -> !readyIn(g, old.instance())).map(g -> true));
    long at = Waits.until("a ready standby again (" + old.instance() + " restarted)", RESTORE_TIMEOUT,
        Duration.ofMillis(5), () -> cluster.admin().tryGroup(cluster.groupName())
            .filter(g -> !g.getActive().isEmpty() && !g.getActive().equals(old.instance()))
            .filter(g -> g.getWithoutReadyStandbyMillis() == 0)
            .filter(g -> readyIn(g, old.instance()))
            .map(g -> System.nanoTime()));
    return (at - t0) / 1_000_000;
  }

  private static boolean readyIn(io.tandem.proto.admin.GroupView g, String instance) {
    return g.getInstancesList().stream().anyMatch(i -> i.getId().equals(instance) && i.getReady());
  }

  long hang() throws InterruptedException {
    AgentNode old = active();
    int mark = cluster.witness().size();
    long t0 = Faults.hangNodeRed(old);
    long ms = takeover(mark, old.instance(), t0);
    cluster.awaitSteady(STEADY);
    return ms;
  }

  long silent() throws InterruptedException {
    AgentNode old = active();
    int mark = cluster.witness().size();
    long t0 = Faults.freezeHost(old);
    try {
      return takeover(mark, old.instance(), t0);
    } finally {
      Faults.killAgent(old);
      old.process().start();
      cluster.awaitSteady(STEADY);
    }
  }

  /** Kills the Raft leader; returns how many Node-RED failovers followed (should be 0). */
  long leaderLoss(long[] adminBackMillisOut) {
    String activeBefore = cluster.activeInstance();
    long token = cluster.group().getToken();
    int mark = cluster.witness().size();
    CoordinatorNode[] killed = new CoordinatorNode[1];
    long t0 = Faults.killLeader(cluster, killed);
    cluster.awaitLeaderOtherThan(killed[0].id(), STEADY);
    adminBackMillisOut[0] = (System.nanoTime() - t0) / 1_000_000;
    Waits.sleep(Duration.ofMillis(3000)); // longer than a lease after the new leader took over
    List<WitnessCall> calls = cluster.witness().calls();
    long failovers = calls.subList(mark, calls.size()).stream().filter(WitnessCall::accepted)
        .map(c -> c.instance() + "@" + c.token()).distinct()
        .filter(k -> !k.equals(activeBefore + "@" + token)).count();
    long tokenAfter = cluster.group().getToken();
    if (tokenAfter != token && failovers == 0) {
      failovers = 1; // an activation happened even if its flows have not called yet
    }
    killed[0].process().start();
    cluster.awaitPeersCaughtUp(STEADY);
    // A single fault from a steady state: let the restarted JVM warm up before the next leader is
    // killed (a cold follower with 150-300 ms election timeouts tends to depose the new leader).
    Waits.sleep(Duration.ofSeconds(COORDINATOR_WARMUP_SECONDS));
    cluster.awaitSteady(STEADY);
    return failovers;
  }

  /** Planned switchover to the standby; returns the gap between the old one's last and the new one's first accepted call. */
  long switchover() throws InterruptedException {
    AgentNode old = active();
    int mark = cluster.witness().size();
    SwitchoverResponse r = cluster.admin().switchover(cluster.groupName(), "");
    Optional<WitnessCall> first = cluster.witness().await(mark,
        x -> x.accepted() && x.instance().equals(r.getToInstance()), TAKEOVER_TIMEOUT_MS);
    if (first.isEmpty() || r.getToInstance().equals(old.instance())) {
      throw new IllegalStateException("switchover to " + r.getToInstance() + " not served within " + TAKEOVER_TIMEOUT_MS + " ms");
    }
    long lastOld = cluster.witness().calls().stream()
        .filter(c -> c.accepted() && c.seq() < first.get().seq() && c.instance().equals(old.instance()))
        .mapToLong(WitnessCall::nanos).max().orElse(first.get().nanos());
    cluster.awaitSteady(STEADY);
    return (first.get().nanos() - lastOld) / 1_000_000;
  }
}

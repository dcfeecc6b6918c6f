package io.tandem.it.chaos;

import io.tandem.it.fault.ClockFault;
import io.tandem.it.fault.FaultKind;
import io.tandem.it.fault.Nemesis;
import io.tandem.it.fault.NemesisConfig;
import io.tandem.it.fault.NemesisRunner;
import io.tandem.it.fault.PeerMesh;
import io.tandem.it.fault.Schedule;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.locks.LockRuns;
import io.tandem.it.witness.WitnessCall;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The chaos scenario of an all-active group with locks: the same nemesis as {@link ChaosRun}
 * (proxies between agents and coordinators, the peer mesh, pauses, kills, clock drift when
 * libfaketime is there) against instances running {@link io.tandem.it.flows.LockFlow}; then the
 * per-key properties: no two holders of a key acting at once (the witness's overlap record and the
 * activation intervals), tokens of each key strictly increasing, no call without a token, and every
 * key held and serving again within {@link #RECOVERY} once the faults are healed.
 */
public final class LockChaosRun {
  static final Duration RECOVERY = Duration.ofSeconds(60);

  private LockChaosRun() {}

  public static ChaosReport run(long seed, Duration budget, ClusterSpec base, PrintStream out)
      throws IOException, InterruptedException {
    if (!base.allActive()) {
      throw new IllegalArgumentException("the lock scenario runs an all-active group with lock keys");
    }
    NemesisConfig config = NemesisConfig.defaults(budget, base.instances(), ChaosRun.COORDINATORS)
        .withQuiet(Duration.ofSeconds(3), Duration.ofSeconds(10));
    String clockNote = ChaosRun.clockNote(ClockFault.unavailable());
    if (clockNote != null) {
      config = config.withClockDrift(0);
      out.println(clockNote);
    }
    Schedule schedule = Nemesis.plan(seed, config);
    schedule.describe().forEach(out::println);
    Path dir = Files.createTempDirectory("tandem-chaos-locks-");
    PeerMesh mesh = PeerMesh.create(ChaosRun.COORDINATORS, dir.resolve("hosts"));
    try (ChaosTopology topology = new ChaosTopology(mesh, schedule.coordinatorClocks(), schedule.agentClocks())) {
      ClusterSpec spec = base.withWorkDir(dir).withTopology(topology);
      out.println("starting the all-active cluster in " + dir + " ...");
      try (LocalCluster cluster = LocalCluster.start(spec)) {
        out.println("cluster ready, locks " + cluster.describeLocks() + "; injecting faults for "
            + budget.toSeconds() + " s");
        List<NemesisRunner.Outcome> outcomes =
            new NemesisRunner(new ClusterInjector(cluster, topology), NemesisRunner.SYSTEM).run(schedule);
        List<Finding> findings = new ArrayList<>();
        try {
          cluster.awaitLocksSteady(RECOVERY);
        } catch (RuntimeException e) {
          findings.add(new Finding("liveness", "the locks were not all held and serving " + RECOVERY.toSeconds()
              + " s after the last fault healed: " + e.getMessage(), List.of()));
        }
        List<String> violations = LockRuns.violations(cluster.witness());
        if (!violations.isEmpty()) {
          findings.add(new Finding("locks", violations.size() + " violation(s) of the per-key history",
              violations.subList(0, Math.min(12, violations.size()))));
        }
        Map<FaultKind, Integer> injected = new EnumMap<>(FaultKind.class);
        outcomes.stream().filter(NemesisRunner.Outcome::injected)
            .forEach(o -> injected.merge(o.fault().kind(), 1, Integer::sum));
        int notInjected = (int) outcomes.stream().filter(o -> !o.injected()).count();
        List<WitnessCall> calls = cluster.witness().calls();
        int activations = calls.stream().filter(WitnessCall::accepted)
            .map(c -> c.key() + ":" + c.instance() + "@" + c.token()).collect(Collectors.toSet()).size();
        List<String> notes = new ArrayList<>();
        notes.add("lock scenario: all-active group of " + base.instances().size() + " instances, keys "
            + base.lockKeys() + "; activations = distinct (key, instance, token) accepted; no deploys;"
            + " locks at the end: " + cluster.describeLocks());
        if (clockNote != null) {
          notes.add(clockNote);
        }
        return new ChaosReport(seed, injected, notInjected, activations, findings, dir, notes, clockNote == null,
            0, 0);
      }
    }
  }
}

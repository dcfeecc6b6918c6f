package io.tandem.it.chaos;

import io.tandem.it.fault.Nemesis;
import io.tandem.it.harness.ClusterSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/tandem chaos}: a long run of random faults against a local cluster, checked for split-brain. */
@Command(name = "chaos", mixinStandardHelpOptions = true,
    description = {"Inject random faults into a local cluster (3 coordinators, Node-RED instances with agents)",
        "for M minutes: partitions (symmetric and one-way), delays, connection resets, SIGSTOP/SIGCONT and",
        "SIGKILL of agents, Node-RED and the coordinator leader, clock drift within the bound (needs libfaketime:",
        "apt-get install faketime; without it the run says so at the start and in the summary). Then restart",
        "every coordinator and check the history: no overlapping active instances, fencing tokens never go",
        "back, committed activations survive, some instance is active whenever the cluster can have one.",
        "Prints the faults by kind, activations, violations (with the offending history lines) and a last",
        "line 'summary faults=N activations=N violations=N seed=S' (plus ' clock-faults=off' without libfaketime).",
        "Exit code 1 if a violation was found.",
        "Then (--locks-minutes, default 1; 0: not) the same faults against an all-active group of 3 instances",
        "with 5 tandem leader locks, checked per key: never two holders acting at once, tokens strictly",
        "increasing, every lock held again after the faults; its own report and summary line.",
        "Replay a run with its seed."})
public final class ChaosCommand implements Callable<Integer> {
  @Option(names = "--minutes", defaultValue = "30", description = "How long to inject faults (default: ${DEFAULT-VALUE}).")
  int minutes;

  @Option(names = "--seed", description = "Nemesis seed (default: a new random one, printed).")
  Long seed;

  @Option(names = "--instances", split = ",", defaultValue = "a,b",
      description = "Node-RED instances of the group (default: ${DEFAULT-VALUE}).")
  List<String> instances;

  @Option(names = "--locks-minutes", defaultValue = "1",
      description = "How long the all-active lock scenario runs after the main run (0: not at all; default: ${DEFAULT-VALUE}).")
  int locksMinutes;

  @Override
  public Integer call() throws Exception {
    if (minutes < 1) {
      throw new IllegalArgumentException("--minutes must be at least 1");
    }
    if (instances.size() < 2) {
      throw new IllegalArgumentException("--instances needs at least two instances");
    }
    long s = seed != null ? seed : Nemesis.newSeed();
    System.out.println("chaos run: seed=" + s + " (replay with --seed " + s + ")");
    ChaosReport report = ChaosRun.run(s, Duration.ofMinutes(minutes), ClusterSpec.defaults(instances), System.out);
    report.lines().forEach(System.out::println);
    boolean ok = report.ok();
    if (locksMinutes > 0) {
      List<String> three = instances.size() >= 3 ? instances : List.of("a", "b", "c");
      System.out.println("lock scenario: all-active group " + three + ", " + locksMinutes + " minute(s), seed=" + s);
      ChaosReport locks = LockChaosRun.run(s, Duration.ofMinutes(locksMinutes), ClusterSpec.defaults(three)
          .withGroup("locks").allActive(io.tandem.it.flows.LockFlow.keys(5)), System.out);
      locks.lines().forEach(System.out::println);
      ok &= locks.ok();
    }
    return ok ? 0 : 1;
  }
}

package io.tandem.it.chaos;

import io.tandem.it.fault.ClockFault;
import io.tandem.it.fault.FaultKind;
import io.tandem.it.fault.Nemesis;
import io.tandem.it.fault.NemesisConfig;
import io.tandem.it.fault.NemesisRunner;
import io.tandem.it.fault.PeerMesh;
import io.tandem.it.fault.Schedule;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.CoordinatorNode;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Waits;
import io.tandem.it.witness.WitnessCall;
import io.tandem.proto.state.Transition;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One chaos run: start a local cluster with proxies everywhere, play a nemesis schedule, restart
 * every coordinator, check the properties of {@link ChaosChecker}. Meanwhile changed flows are
 * deployed through the active's editor every {@link #DEPLOY_EVERY} ({@link FlowsDeployer}).
 */
public final class ChaosRun {
  static final List<String> COORDINATORS = List.of("c1", "c2", "c3");
  static final Set<FaultKind> PEER_FAULTS = EnumSet.of(FaultKind.ISOLATE_LEADER, FaultKind.ISOLATE_FOLLOWER,
      FaultKind.PEER_ONE_WAY, FaultKind.PEER_DELAY, FaultKind.PEER_RESET);
  private static final Duration STOP_BUDGET = Duration.ofMillis(300);
  private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(90);
  /** Election time (about 0.5 s) plus a margin for a loaded machine, on top of the lease. */
  static final Duration RECOVERY_MARGIN = Duration.ofSeconds(2);
  static final Duration DEPLOY_EVERY = Duration.ofSeconds(3);
  static final Duration CONTEXT_SAMPLE_EVERY = Duration.ofMillis(500);

  private ChaosRun() {}

  /**
   * @param seed   nemesis seed
   * @param budget length of the fault schedule
   * @param base   the cluster to run (instances, timings); its work dir and topology are replaced
   * @param out    where progress and the report go
   */
  public static ChaosReport run(long seed, Duration budget, ClusterSpec base, PrintStream out)
      throws IOException, InterruptedException {
    List<String> instances = base.instances();
    boolean hooks = harnessHasProcessHooks();
    NemesisConfig config = NemesisConfig.defaults(budget, instances, COORDINATORS)
        .withQuiet(Duration.ofSeconds(3), Duration.ofSeconds(10));
    if (!hooks) {
      // without per-process JVM options and environment, no hosts files (peer mesh) and no clocks
      Set<FaultKind> kinds = EnumSet.allOf(FaultKind.class);
      kinds.removeAll(PEER_FAULTS);
      config = config.withKinds(kinds).withClockDrift(0);
      out.println("note: the harness has no per-process hooks yet: no faults between coordinators, no clock drift");
    }
    String clockNote = clockNote(hooks ? ClockFault.unavailable() : Optional.empty());
    if (clockNote != null) {
      config = config.withClockDrift(0);
      out.println(clockNote);
    }
    Schedule schedule = Nemesis.plan(seed, config);
    schedule.describe().forEach(out::println);
    Path dir = Files.createTempDirectory("tandem-chaos-");
    PeerMesh mesh = hooks ? PeerMesh.create(COORDINATORS, dir.resolve("hosts")) : null;
    try (ChaosTopology topology = new ChaosTopology(mesh, schedule.coordinatorClocks(), schedule.agentClocks())) {
      ClusterSpec spec = base.withWorkDir(dir).withTopology(topology).withHangRoute(false);
      out.println("starting the cluster in " + dir + " ...");
      try (LocalCluster cluster = LocalCluster.start(spec)) {
        out.println("cluster ready, " + cluster.activeInstance() + " active; injecting faults for "
            + budget.toSeconds() + " s");
        deployCounter(cluster);
        long start = System.nanoTime();
        List<NemesisRunner.Outcome> outcomes;
        List<HealthSampler.Sample> health;
        int deploysTried;
        ContextSampler contextSampler = new ContextSampler(cluster.admin(), cluster.groupName(), instances.get(0),
            CONTEXT_SAMPLE_EVERY);
        try (HealthSampler sampler = new HealthSampler(cluster.agents());
            FlowsDeployer deployer = new FlowsDeployer(cluster, DEPLOY_EVERY)) {
          outcomes = new NemesisRunner(new ClusterInjector(cluster, topology), NemesisRunner.SYSTEM).run(schedule);
          health = sampler.samples();
          deployer.close();
          deploysTried = deployer.tried();
        } finally {
          contextSampler.close();
        }
        long end = System.nanoTime();
        List<WitnessCall> calls = cluster.witness().calls();
        ChaosChecker checker = new ChaosChecker(spec.lease(), STOP_BUDGET, spec.lease().plus(RECOVERY_MARGIN));
        List<Finding> findings = new ArrayList<>();
        int deploysCommitted = 0;
        List<String> notes = new ArrayList<>();
        try {
          List<Transition> before = history(cluster);
          Map<Long, String> markers = markers(cluster, before);
          deploysCommitted = (int) markers.values().stream().filter(m -> m.startsWith(FlowsDeployer.MARKER_PREFIX)).count();
          ChaosChecker.RevisionCheck rc = checker.checkRevisions(before, markers, cluster.witness().flowsAtActivation());
          findings.addAll(rc.findings());
          notes.add("revision property: " + rc.checked() + " activations checked against the revision current at"
              + " their activation");
          out.println("faults done; restarting every coordinator to check that commits survive ...");
          restartCoordinators(cluster);
          List<Transition> after = history(cluster);
          findings.addAll(checker.check(calls, outcomes, health, start, end, before, after));
        } catch (RuntimeException e) { // keep the verdict on the other properties of a long run
          findings.addAll(checker.check(calls, outcomes, health, start, end, List.of(), List.of()));
          findings.add(new Finding("durable", "could not compare the history across a restart of every"
              + " coordinator: " + e.getMessage(), List.of()));
        }
        try {
          contextSampler.sampleNow(); // after every coordinator restarted: the committed context survived
        } catch (RuntimeException e) {
          findings.add(new Finding("context", "could not read the committed context after the restart of every"
              + " coordinator: " + e.getMessage(), List.of()));
        }
        List<ContextSampler.Sample> ctx = contextSampler.samples();
        findings.addAll(checker.contextCounter(ctx, start));
        notes.add(contextNote(ctx, contextSampler.missed()));
        if (clockNote != null) {
          notes.add(clockNote);
        }
        Map<FaultKind, Integer> injected = new EnumMap<>(FaultKind.class);
        outcomes.stream().filter(NemesisRunner.Outcome::injected)
            .forEach(o -> injected.merge(o.fault().kind(), 1, Integer::sum));
        int notInjected = (int) outcomes.stream().filter(o -> !o.injected()).count();
        int activations = calls.stream().filter(WitnessCall::accepted)
            .map(c -> c.instance() + "@" + c.token()).collect(Collectors.toSet()).size();
        return new ChaosReport(seed, injected, notInjected, activations, findings, dir,
            notes, clockNote == null && hooks, deploysTried, deploysCommitted);
      }
    }
  }

  /** The note on the context property: how many samples, and the counter's first and last committed values. */
  static String contextNote(List<ContextSampler.Sample> samples, int missed) {
    if (samples.isEmpty()) {
      return "context property: no sample of the committed context (" + missed + " reads found no leader)";
    }
    ContextSampler.Sample first = samples.get(0);
    ContextSampler.Sample last = samples.get(samples.size() - 1);
    return "context property: " + samples.size() + " samples of the committed context (" + missed
        + " reads found no leader), counter " + first.counter() + " -> " + last.counter() + ", version "
        + first.version() + " -> " + last.version();
  }

  /**
   * Adds {@link ChaosCounterFlow} through the active's editor before the faults start, and waits
   * until its first increment is committed.
   */
  private static void deployCounter(LocalCluster cluster) throws IOException, InterruptedException {
    String url = cluster.agent(cluster.activeInstance()).editorUrl();
    com.fasterxml.jackson.databind.JsonNode current = io.tandem.it.flows.EditorDeploy.current(url, Duration.ofSeconds(10));
    io.tandem.it.flows.EditorDeploy.Answer a = io.tandem.it.flows.EditorDeploy.post(url, current.path("rev").asText(""),
        ChaosCounterFlow.addTo(current), Duration.ofSeconds(30));
    if (!a.deployed()) {
      throw new IllegalStateException("could not deploy the context counter flow: " + a.status() + " " + a.message());
    }
    cluster.awaitSteady(RESTART_TIMEOUT);
    String member = cluster.agents().get(0).instance();
    Waits.until("the context counter committed", RESTART_TIMEOUT, Duration.ofMillis(100),
        () -> Optional.ofNullable(ContextSampler.sample(System.nanoTime(),
            cluster.admin().context(cluster.groupName(), member)).counter()).filter(n -> n > 0));
  }

  /** The one line said at the start and in the report when clock faults cannot run, or null. */
  static String clockNote(Optional<String> unavailable) {
    return unavailable.map(why -> "note: this run has no clock faults: " + why).orElse(null);
  }

  /** The marker of every kept revision the history names (FLOWS_DEPLOYED); revisions no longer kept are left out. */
  private static Map<Long, String> markers(LocalCluster cluster, List<Transition> history) {
    Map<Long, String> out = new java.util.HashMap<>();
    for (Transition t : history) {
      if (t.getKind() == io.tandem.proto.state.TransitionKind.FLOWS_DEPLOYED) {
        try {
          out.put(t.getIndex(), io.tandem.it.flows.EditorDeploy.markerOf(cluster.admin().exportFlows(cluster.groupName(), t.getIndex())));
        } catch (IOException | RuntimeException e) {
          // not kept any more (keepRevisions) or unreadable: that revision's activations are not checked
        }
      }
    }
    return out;
  }

  private static List<Transition> history(LocalCluster cluster) {
    return Waits.until("the group's history", RESTART_TIMEOUT, Duration.ofMillis(200),
        () -> {
          try {
            return java.util.Optional.of(cluster.admin().history(cluster.groupName()));
          } catch (RuntimeException e) {
            return java.util.Optional.empty();
          }
        });
  }

  /** SIGKILL every coordinator, start them again on the same data, wait for a leader. */
  private static void restartCoordinators(LocalCluster cluster) {
    for (CoordinatorNode c : cluster.coordinators()) {
      c.process().kill();
    }
    for (CoordinatorNode c : cluster.coordinators()) {
      c.process().start();
    }
    cluster.awaitLeader(RESTART_TIMEOUT);
  }

  /**
   * Whether the harness gives each process its own JVM options and environment
   * ({@code Topology.javaOpts(process, base)} and {@code Topology.environment(process)}), which the
   * peer mesh (hosts files) and clock faults need.
   */
  static boolean harnessHasProcessHooks() {
    try {
      ClusterSpec.Topology.class.getMethod("javaOpts", String.class, String.class);
      ClusterSpec.Topology.class.getMethod("environment", String.class);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}

package io.tandem.it.tool;

import io.tandem.it.check.HistoryChecker;
import io.tandem.it.check.Verdict;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.LocalCluster;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Repeats every fault K times on a local cluster and prints the takeover times and a summary line. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure failover on a local cluster (3 coordinators, 2 Node-RED instances with agents):",
        "K runs of each fault, then the same crash handled the way it is today (a supervisor restarts",
        "a plain Node-RED). Prints p50/p99/max of fault -> standby's first accepted witness call, and a",
        "last line 'summary ...' for scripts. 'deploy': a full deploy on the active -> every standby has",
        "loaded that revision, for a small and a 5 MB flow; 'deployfailover': SIGKILL the active's Node-RED",
        "right after a deploy answered, then the new active must serve the new revision. 'context': a flow",
        "sets global context in store tandem as fast as it can for --context-seconds (sets/s, Raft entries/s,",
        "flush latency), then a counter every 10 ms and SIGKILL of the active's Node-RED (increments lost).",
        "'tls': the crash row and the agents' heartbeat round trips and leader CPU on a mutual-TLS cluster, then",
        "on a plaintext one (not in the default rows). --plaintext runs the other rows without TLS.",
        "'restored': SIGKILL the active's Node-RED -> the group has a ready standby again (the old instance,",
        "in the leader's view); 'crashloop': the same, its Node-RED killed again each time it is ready, 4 kills,",
        "timed from the last.",
        "'footprint' (not in the default set): an idle cluster whose agents run with the launcher's default",
        "JVM options; CPU share and RSS of the active's and the standby's agent JVM from /proc over",
        "--footprint-minutes (its own cluster, --runs ignored).",
        "'locks' (not in the default set: --only locks): an all-active group of 3 instances with 5 tandem leader",
        "keys; lock takeover after the holder's Node-RED crashes, hangs, or its host vanishes (SIGSTOP of agent",
        "and Node-RED for 14 s, then SIGCONT), side by side with node-red-contrib-cluster-leader's Redis lock",
        "(SET NX EX 10, refreshed every 2 s; needs redis-server: apt-get install redis-server), and the runs in",
        "which two holders of a key acted at once. About 1 minute per run.",
        "'http' (not in the default set: --only http): a real haproxy (ops/haproxy/tandem.cfg) in front of the",
        "two Node-RED instances, ab -r -c 50 -t --http-seconds against an http-in route, SIGKILL of the active's",
        "Node-RED 10 s in; failed and non-2xx requests and ab's p50/p99/max; then a plain Node-RED restarted at once",
        "by a loop behind the same config. Needs haproxy and ab (apt-get install haproxy apache2-utils).",
        "--ingress nginx runs the 'http' row through a real nginx with ops/nginx/tandem.conf instead (apt-get",
        "install nginx-light; on the plain side its hold hops ask the Node-RED's route, since there is no agent).",
        "'mqttswitchover' (not in the default set): a mosquitto on 127.0.0.1 (apt-get install mosquitto) and a flow",
        "publishing a sequence number every 10 ms through Node-RED's mqtt out node; planned switchovers measured at a",
        "subscriber as the gap between the old active's last message and the new active's first.",
        "'firstactive' (not in the default set): per run a fresh cluster, every process started at once with the",
        "launchers' JVM options and the group created at once, then a full restart of it (everything SIGKILLed,",
        "data dirs and userDirs kept, started again at once); last process started -> first accepted witness call,",
        "with the milestones of the logs (leader, Node-RED ready, decided, committed, flows started).",
        "Select rows with --only (e.g. --only context). Takes about 30 s per run of all faults."})
public final class BenchCommand implements Callable<Integer> {
  enum Fault { crash, hang, silent, leader, switchover, mqttswitchover, deploy, deployfailover, context, tls, restored, crashloop, footprint, locks, http, firstactive }
  static final int LARGE_FLOW_BYTES = 5 * 1024 * 1024;
  static final String DEPLOY_SMALL = "deploy -> standby (small)";
  static final String DEPLOY_LARGE = "deploy -> standby (5 MB)";

  @Option(names = "--runs", defaultValue = "20", description = "Runs per fault (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = {"--faults", "--only"}, split = ",",
      defaultValue = "crash,hang,silent,leader,switchover,deploy,deployfailover,context,restored,crashloop",
      description = "Faults (rows) to measure (default: ${DEFAULT-VALUE}).")
  List<Fault> faults;

  @Option(names = "--context-seconds", defaultValue = "2",
      description = "How long each 'context' run sets context (default: ${DEFAULT-VALUE}).")
  int contextSeconds;

  @Option(names = "--context-keys", defaultValue = "1000",
      description = "Distinct keys the 'context' flow cycles through (default: ${DEFAULT-VALUE}).")
  int contextKeys;

  @Option(names = "--plaintext",
      description = "Run the cluster of the rows other than 'tls' with tls: {insecure: true} (default: mutual TLS).")
  boolean plaintext;

  @Option(names = "--tls-window-seconds", defaultValue = "30",
      description = "The idle window of each 'tls' side in which heartbeats and leader CPU are read (default: ${DEFAULT-VALUE}).")
  int tlsWindowSeconds;

  @Option(names = "--footprint-minutes", defaultValue = "3",
      description = "Idle window of the 'footprint' row, in minutes (default: ${DEFAULT-VALUE}; the goal is stated for 10).")
  double footprintMinutes;

  @Option(names = "--footprint-warmup", defaultValue = "30",
      description = "Seconds the 'footprint' cluster idles before the window (default: ${DEFAULT-VALUE}).")
  int footprintWarmup;

  @Option(names = "--http-seconds", defaultValue = "30",
      description = "Length of each 'http' ab run in seconds, the crash 10 s in (default: ${DEFAULT-VALUE}).")
  int httpSeconds;

  @Option(names = "--firstactive-coordinator-opts", defaultValue = "",
      description = "TANDEM_JAVA_OPTS of the coordinators in the 'firstactive' row (default: none, the launcher's own).")
  String firstActiveCoordinatorOpts;

  @Option(names = "--ingress", defaultValue = "haproxy",
      description = "The proxy of the 'http' row: haproxy or nginx, with its shipped config in ops/ (default: ${DEFAULT-VALUE}).")
  HttpRuns.Ingress ingress;

  @Override
  public Integer call() throws Exception {
    if (runs < 1 || contextSeconds < 1 || contextKeys < 1 || tlsWindowSeconds < 1 || footprintMinutes <= 0
        || footprintWarmup < 0) {
      throw new IllegalArgumentException("--runs, --context-seconds, --context-keys and --tls-window-seconds must be "
          + "at least 1, --footprint-minutes above 0");
    }
    String tlsSummary = "";
    if (faults.contains(Fault.tls)) {
      java.time.Duration window = java.time.Duration.ofSeconds(tlsWindowSeconds);
      TlsRuns.Side tls = TlsRuns.measure(false, runs, window);
      TlsRuns.Side plain = TlsRuns.measure(true, runs, window);
      TlsRuns.print(tls, plain);
      tlsSummary = " " + TlsRuns.summary(tls, plain);
    }
    String footprintSummary = "";
    if (faults.contains(Fault.footprint)) {
      System.out.println("Starting the footprint cluster (agents with the launcher's default JVM options)...");
      List<FootprintRuns.Result> fp = FootprintRuns.measure(
          java.nio.file.Files.createTempDirectory("tandem-bench-footprint-"), java.time.Duration.ofSeconds(footprintWarmup),
          java.time.Duration.ofMillis(Math.round(footprintMinutes * 60_000)));
      FootprintRuns.print(fp);
      footprintSummary = " " + FootprintRuns.summary(fp);
    }
    if (faults.contains(Fault.http)) {
      if (httpSeconds <= HttpRuns.CRASH_AFTER_SECONDS) {
        throw new IllegalArgumentException("--http-seconds must exceed " + HttpRuns.CRASH_AFTER_SECONDS);
      }
      HttpRuns.Side tandem = HttpRuns.tandem(ingress, runs, httpSeconds, plaintext);
      HttpRuns.Side restart = HttpRuns.restart(ingress, runs, httpSeconds);
      HttpRuns.print(ingress, tandem, restart, httpSeconds);
      footprintSummary += " " + HttpRuns.summary(ingress, tandem, restart);
    }
    if (faults.contains(Fault.firstactive)) {
      FirstActiveRuns fa = new FirstActiveRuns(plaintext, firstActiveCoordinatorOpts.isBlank() ? null : firstActiveCoordinatorOpts);
      fa.run(runs);
      fa.print();
      footprintSummary += " " + fa.summary();
    }
    List<Fault> rows = faults.stream().filter(f -> f != Fault.tls && f != Fault.footprint && f != Fault.locks
        && f != Fault.http && f != Fault.firstactive).toList();
    boolean locks = faults.contains(Fault.locks);
    int code = 0;
    if (!rows.isEmpty()) {
      code = standbyRows(rows, tlsSummary + footprintSummary);
    } else if (!locks) {
      System.out.println("summary" + tlsSummary + footprintSummary);
    }
    if (locks) {
      LockBench lb = new LockBench();
      int v = lb.run(runs);
      lb.print();
      code = v == 0 ? code : 1;
    }
    return code;
  }

  private int standbyRows(List<Fault> rows, String otherSummaries) throws Exception {
    Map<String, Stats> table = new LinkedHashMap<>();
    Stats failovers = new Stats();
    Stats adminBack = new Stats();
    Stats baseline = new Stats();
    int violations;
    int mqttOldAfterNew = 0;
    int[] newRevision = {0, 0}; // runs that served the new revision, runs that served something
    ContextTable ctx = new ContextTable();
    System.out.println("Starting the cluster...");
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("tandem-bench-");
    for (String i : List.of("a", "b")) { // the context counter writes its witness file with fs
      io.tandem.it.flows.ContextCounterFlow.writeSettings(dir.resolve("agent-" + i).resolve("userdir"));
    }
    try (LocalCluster cluster = LocalCluster.start(ClusterSpec.defaults(List.of("a", "b")).withGroup("bench")
        .withWorkDir(dir).withPlaintext(plaintext))) {
      System.out.println("work dir: " + cluster.workDir());
      FaultRuns fr = new FaultRuns(cluster);
      DeployRuns dr = new DeployRuns(cluster);
      ContextRuns cr = new ContextRuns(cluster, dir);
      MqttSwitchoverRuns mqtt = rows.contains(Fault.mqttswitchover) ? new MqttSwitchoverRuns(cluster) : null;
      boolean broken = false;
      for (Fault f : rows) {
        Stats s = table.computeIfAbsent(label(f), k -> new Stats());
        Stats large = f == Fault.deploy ? table.computeIfAbsent(DEPLOY_LARGE, k -> new Stats()) : null;
        for (int i = 1; i <= runs && !broken; i++) {
          Stats failing = s;
          try {
            switch (f) {
              case deploy -> {
                s.add(dr.deployToStandbys(0));
                long smallAnswer = dr.lastAnswerMillis();
                failing = large;
                large.add(dr.deployToStandbys(LARGE_FLOW_BYTES));
                System.out.printf("  %-10s run %2d/%d: small %d ms (deploy answered in %d ms), 5 MB %d ms (in %d ms)%n",
                    f, i, runs, s.lastSample(), smallAnswer, large.lastSample(), dr.lastAnswerMillis());
                continue;
              }
              case deployfailover -> {
                DeployRuns.FailoverResult r = dr.deployThenFailover();
                s.add(r.millis());
                newRevision[1]++;
                if (r.ranNewRevision()) {
                  newRevision[0]++;
                }
                System.out.printf("  %-10s run %2d/%d: %d ms, the new active answered %s%n", f, i, runs, r.millis(),
                    r.ranNewRevision() ? "the new revision" : "\"" + r.served() + "\", NOT the new revision \""
                        + r.expected() + "\"");
                continue;
              }
              case context -> {
                ContextRuns.Sustained w = cr.sustained(java.time.Duration.ofSeconds(contextSeconds), contextKeys);
                ctx.add(w);
                s.add(Math.round(w.setsPerSecond()));
                ContextRuns.Crash c = cr.crashLoss();
                ctx.add(c);
                System.out.printf(java.util.Locale.ROOT, "  %-10s run %2d/%d: %d sets in %d ms (%.0f/s), %.0f Raft entries"
                    + " (%.1f/s), %.0f flushes of %.0f ops, flush p50 %s p99 %s; crash: reached %d, the new active"
                    + " continued from %d: %d lost%n", f, i, runs, w.sets(), w.flowMillis(), w.setsPerSecond(),
                    w.entries(), w.entriesPerSecond(), w.flushes(), w.ops(), ContextTable.ms(w.latency().quantile(0.5)),
                    ContextTable.ms(w.latency().quantile(0.99)), c.reached(), c.committed(), c.lost());
                continue;
              }
              case crash -> s.add(fr.crash());
              case restored -> s.add(fr.restored());
              case crashloop -> s.add(fr.crashLoop());
              case hang -> s.add(fr.hang());
              case silent -> s.add(fr.silent());
              case switchover -> s.add(fr.switchover());
              case mqttswitchover -> s.add(mqtt.switchover());
              case leader -> {
                long[] back = new long[1];
                failovers.add(fr.leaderLoss(back));
                adminBack.add(back[0]);
                s.add(back[0]);
              }
            }
            System.out.printf("  %-10s run %2d/%d: %d ms%s%n", f, i, runs, s.lastSample(),
                f == Fault.leader ? " to a new leader, " + failovers.lastSample() + " failover(s)" : "");
          } catch (RuntimeException | java.io.IOException e) {
            failing.fail();
            System.out.printf("  %-10s run %2d/%d FAILED: %s%n", f, i, runs, e.getMessage());
            broken = !recover(cluster);
          }
        }
      }
      if (mqtt != null) {
        mqttOldAfterNew = mqtt.oldAfterNew();
        mqtt.close();
      }
      Verdict v = HistoryChecker.check(cluster.witness().calls(), HistoryChecker.Mode.STRICT);
      violations = v.violations().size() + (newRevision[1] - newRevision[0]) + mqttOldAfterNew;
      if (!v.ok()) {
        System.out.println(v);
      }
      try (Baseline b = new Baseline(cluster.workDir())) {
        b.start();
        for (int i = 1; i <= runs; i++) {
          baseline.add(b.run());
        }
      }
    }
    table.put("restart baseline", baseline);
    Stats contextRow = table.remove(label(Fault.context)); // not milliseconds: its own table
    print(table, failovers, baseline);
    if (contextRow != null) {
      ctx.print(contextRow.failures());
    }
    Stats deployFailover = table.get(label(Fault.deployfailover));
    if (deployFailover != null) {
      System.out.printf("deploy then failover: %d/%d runs ran the new revision%s%n", newRevision[0],
          deployFailover.runs() + deployFailover.failures(),
          deployFailover.failures() > 0 ? " (" + deployFailover.failures() + " failed)" : "");
    }
    long lossFailovers = failovers.runs() == 0 ? 0 : sum(failovers);
    String mqttSummary = "";
    if (table.containsKey(label(Fault.mqttswitchover))) {
      Stats m = table.get(label(Fault.mqttswitchover));
      System.out.printf("mqtt switchover: %d message(s) of an old active arrived after the new active's first%n",
          mqttOldAfterNew);
      mqttSummary = String.format(" mqtt_switchover_gap_p50_ms=%d mqtt_switchover_gap_p99_ms=%d"
          + " mqtt_switchover_gap_max_ms=%d mqtt_old_after_new=%d", m.percentile(50), m.percentile(99), m.max(),
          mqttOldAfterNew);
    }
    System.out.printf("summary crash_p99_ms=%d hang_p99_ms=%d silent_p99_ms=%d switchover_gap_p99_ms=%d "
        + "leader_loss_failovers=%d restart_baseline_p50_ms=%d deploy_small_p99_ms=%d deploy_5mb_p99_ms=%d "
        + "deploy_failover_new_revision=%d/%d%s%s%s violations=%d%n",
        p99(table, Fault.crash), p99(table, Fault.hang), p99(table, Fault.silent), p99(table, Fault.switchover),
        lossFailovers, baseline.percentile(50), p99(table, DEPLOY_SMALL), p99(table, DEPLOY_LARGE), newRevision[0],
        deployFailover == null ? 0 : deployFailover.runs() + deployFailover.failures(),
        contextRow == null ? "" : " " + ctx.summary(), mqttSummary, otherSummaries, violations);
    return violations == 0 ? 0 : 1;
  }

  /** After a failed run: restart whatever died and wait for a steady group; false if it never comes. */
  static boolean recover(LocalCluster cluster) {
    cluster.coordinators().stream().filter(c -> !c.process().isAlive()).forEach(c -> c.process().start());
    cluster.agents().stream().filter(a -> !a.process().isAlive()).forEach(a -> a.process().start());
    try {
      cluster.awaitSteady(FaultRuns.STEADY);
      return true;
    } catch (RuntimeException e) {
      System.out.println("the cluster did not recover, stopping the fault runs: " + e.getMessage());
      return false;
    }
  }

  static String label(Fault f) {
    return switch (f) {
      case crash -> "crash (SIGKILL Node-RED)";
      case hang -> "hang (while(true){})";
      case silent -> "silent (SIGSTOP host)";
      case leader -> "leader loss (admin back)";
      case switchover -> "switchover gap";
      case mqttswitchover -> "mqtt switchover gap";
      case deploy -> DEPLOY_SMALL;
      case deployfailover -> "deploy+kill -> new rev";
      case context -> "context sets/s";
      case tls -> "tls vs plaintext";
      case restored -> "crash -> ready standby";
      case crashloop -> "crash loop -> ready standby";
      case footprint -> "footprint";
      case locks -> "locks";
      case http -> "http through haproxy or nginx";
      case firstactive -> "first active";
    };
  }

  private static long p99(Map<String, Stats> t, Fault f) {
    return p99(t, label(f));
  }

  private static long p99(Map<String, Stats> t, String label) {
    Stats s = t.get(label);
    return s == null ? -1 : s.percentile(99);
  }

  private static long sum(Stats s) {
    long n = 0;
    for (long v : s.samples()) {
      n += v;
    }
    return n;
  }

  private static void print(Map<String, Stats> table, Stats failovers, Stats baseline) {
    System.out.println();
    System.out.printf("| %-26s | %4s | %6s | %6s | %6s | %6s |%n", "fault", "runs", "p50 ms", "p99 ms", "max ms", "failed");
    System.out.println("|----------------------------|------|--------|--------|--------|--------|");
    table.forEach((k, s) -> System.out.printf("| %-26s | %4d | %6d | %6d | %6d | %6d |%n",
        k, s.runs(), s.percentile(50), s.percentile(99), s.max(), s.failures()));
    if (failovers.runs() > 0) {
      System.out.printf("leader loss: %d Node-RED failover(s) in %d runs%n", sum(failovers), failovers.runs());
    }
    Stats crash = table.get(label(Fault.crash));
    if (crash != null && crash.runs() > 0 && baseline.runs() > 0) {
      System.out.printf("ratio restart baseline / Tandem crash takeover: p50 %.1fx, p99 %.1fx%n",
          (double) baseline.percentile(50) / Math.max(1, crash.percentile(50)),
          (double) baseline.percentile(99) / Math.max(1, crash.percentile(99)));
    }
  }
}

package io.tandem.it.tool;

import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.HarnessException;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Waits;
import io.tandem.it.witness.WitnessCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The first-active row: per run, a fresh cluster (3 coordinators and agents a and b, every process
 * started at once with the launchers' own JVM options, the group created as soon as a coordinator
 * takes it), then a full restart of that cluster (everything SIGKILLed, data dirs and userDirs
 * kept, everything started again at once). Each is timed from the moment the last process was
 * started to the first witness call the witness accepted, with the milestones of the logs.
 */
final class FirstActiveRuns {
  static final String FRESH = "fresh";
  static final String RESTART = "restart";
  private static final Duration TIMEOUT = LocalCluster.START_TIMEOUT;
  /** A milestone the logs did not show (or the group creation of a restart). */
  static final long NONE = Long.MIN_VALUE;

  /**
   * Every agent with its launcher's defaults (no TANDEM_JAVA_OPTS), as a user starts it; the
   * coordinators too unless {@code coordinatorOpts} is given (their TANDEM_JAVA_OPTS then).
   */
  private static ClusterSpec.Topology launchers(String coordinatorOpts) {
    return new ClusterSpec.Topology() {
      @Override
      public String javaOpts(String process, String base) {
        return process.startsWith("agent-") ? null : coordinatorOpts;
      }
    };
  }

  /**
   * One start, in ms from the last process's start (negative: before it); {@link #NONE} where the
   * logs had no such line. {@code groupCreated} is NONE after a restart (the group exists).
   */
  record Sample(String kind, String active, long firstCall, long leader, long groupCreated, long readyActive,
      long readyOther, long decided, long committed, long flowsStarted, Cpu cpu) {
    String line() {
      return String.format("first leader %s, group created %s, Node-RED ready as a spare %s (active %s) / %s (other),"
          + " decided %s, committed %s, flows started %s, first accepted witness call %d ms; %s", ms(leader),
          ms(groupCreated), ms(readyActive), active, ms(readyOther), ms(decided), ms(committed), ms(flowsStarted),
          firstCall, cpu);
    }

    private static String ms(long v) {
      return v == NONE ? "-" : v + " ms";
    }
  }

  /**
   * CPU time (ms, user + system, from /proc) the cluster's processes used from their start to the
   * first accepted call: the 3 coordinator JVMs, the 2 agent JVMs, the Node-RED processes they launched.
   * On a shared machine this is what the start costs regardless of the load; on 2 idle cores the
   * wall time cannot be much below half of the total.
   */
  record Cpu(long coordinators, long agents, long nodeReds) {
    long total() {
      return coordinators + agents + nodeReds;
    }

    @Override
    public String toString() {
      return String.format("CPU %d ms (coordinators %d, agents %d, Node-RED %d)", total(), coordinators, agents,
          nodeReds);
    }

    static Cpu of(LocalCluster c) {
      long tps = ProcSample.ticksPerSecond();
      long coordinators = c.coordinators().stream().mapToLong(n -> ticks(n.process().pid())).sum();
      long agents = c.agents().stream().mapToLong(a -> ticks(a.process().pid())).sum();
      long nodeReds = c.agents().stream().flatMap(a -> a.process().handle().stream())
          .flatMap(ProcessHandle::descendants).mapToLong(h -> ticks(h.pid())).sum();
      return new Cpu(coordinators * 1000 / tps, agents * 1000 / tps, nodeReds * 1000 / tps);
    }

    private static long ticks(long pid) {
      return ProcSample.of(pid).map(ProcSample::cpuTicks).orElse(0L);
    }
  }

  private final boolean plaintext;
  private final String coordinatorOpts;
  private final List<Sample> samples = new ArrayList<>();
  private int failures;

  /** {@code coordinatorOpts}: the coordinators' TANDEM_JAVA_OPTS (null: the launcher's defaults). */
  FirstActiveRuns(boolean plaintext, String coordinatorOpts) {
    this.plaintext = plaintext;
    this.coordinatorOpts = coordinatorOpts;
  }

  List<Sample> samples() {
    return List.copyOf(samples);
  }

  int failures() {
    return failures;
  }

  /** {@code runs} fresh clusters, each restarted once; a failed run is counted and the next one starts. */
  void run(int runs) throws IOException {
    for (int i = 1; i <= runs; i++) {
      Path dir = Files.createTempDirectory("tandem-bench-firstactive-");
      ClusterSpec spec = ClusterSpec.defaults(List.of("a", "b")).withGroup("bench").withWorkDir(dir)
          .withPlaintext(plaintext).withTopology(launchers(coordinatorOpts));
      System.out.println("  firstactive run " + i + ": work dir " + dir);
      long before = System.currentTimeMillis();
      try (LocalCluster c = LocalCluster.launchAll(spec)) {
        String kind = FRESH;
        try {
          record(i, runs, measure(c, before, true));
          kind = RESTART;
          c.stopAll();
          before = System.currentTimeMillis(); // after the kills: the failovers they caused are not milestones
          c.startAll();
          record(i, runs, measure(c, before, false));
        } catch (RuntimeException e) {
          failures++;
          System.out.printf("  firstactive %-7s run %2d/%d FAILED: %s (logs in %s)%n", kind, i, runs, e.getMessage(),
              dir);
        }
      }
    }
  }

  private void record(int i, int runs, Sample s) {
    samples.add(s);
    System.out.printf("  firstactive %-7s run %2d/%d: %d ms; %s%n", s.kind(), i, runs, s.firstCall(), s.line());
  }

  private static Sample measure(LocalCluster c, long beforeWall, boolean fresh) {
    int from = c.witness().size();
    long startNanos = c.lastStartNanos();
    long startWall = System.currentTimeMillis() - (System.nanoTime() - startNanos) / 1_000_000;
    long created = NONE;
    if (fresh) {
      createGroup(c);
      created = (System.nanoTime() - startNanos) / 1_000_000;
    }
    WitnessCall first = Waits.until("the first accepted witness call", TIMEOUT, Duration.ofMillis(5), () -> {
      c.agents().forEach(a -> a.process().assertAlive());
      return c.witness().callsSince(from).stream().filter(WitnessCall::accepted).findFirst();
    });
    long total = (first.nanos() - startNanos) / 1_000_000;
    Cpu cpu = Cpu.of(c);
    List<List<String>> coordinatorLogs = c.coordinators().stream().map(n -> lines(n.process().log())).toList();
    List<String> activeLog = lines(c.agent(first.instance()).process().log());
    List<String> otherLog = c.agents().stream().filter(a -> !a.instance().equals(first.instance())).findFirst()
        .map(a -> lines(a.process().log())).orElse(List.of());
    return new Sample(fresh ? FRESH : RESTART, first.instance(), total,
        at(StartupLog.earliest(coordinatorLogs, StartupLog.LEADER, beforeWall), startWall), created,
        at(StartupLog.first(activeLog, StartupLog.READY, beforeWall), startWall),
        at(StartupLog.first(otherLog, StartupLog.READY, beforeWall), startWall),
        at(StartupLog.earliest(coordinatorLogs, StartupLog.decided(c.groupName()), beforeWall), startWall),
        at(StartupLog.earliest(coordinatorLogs, StartupLog.committed(c.groupName()), beforeWall), startWall),
        at(StartupLog.first(activeLog, StartupLog.FLOWS_STARTED, beforeWall), startWall), cpu);
  }

  /** Creates the group as a user would right after starting everything: retried until a leader takes it. */
  private static void createGroup(LocalCluster c) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      try {
        c.createGroup();
        return;
      } catch (io.grpc.StatusRuntimeException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new HarnessException("no coordinator created the group within " + TIMEOUT.toSeconds() + " s: " + e);
        }
        c.coordinators().forEach(n -> n.process().assertAlive());
      }
    }
  }

  private static long at(StartupLog.Hit h, long startWall) {
    return h == null ? NONE : h.millis() - startWall;
  }

  private static List<String> lines(Path log) {
    try {
      return Files.readAllLines(log, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + log, e);
    }
  }

  /** The samples of one kind. */
  Stats stats(String kind) {
    Stats s = new Stats();
    samples.stream().filter(x -> x.kind().equals(kind)).forEach(x -> s.add(x.firstCall()));
    return s;
  }

  void print() {
    System.out.println();
    System.out.println("| first active (last process started -> first accepted witness call) | runs | p50 ms | max ms |");
    System.out.println("|---------------------------------------------------------------------|------|--------|--------|");
    for (String k : List.of(FRESH, RESTART)) {
      Stats s = stats(k);
      System.out.printf("| %-67s | %4d | %6d | %6d |%n", k.equals(FRESH) ? "fresh cluster" : "full cluster restart",
          s.runs(), s.percentile(50), s.max());
    }
    if (failures > 0) {
      System.out.println("failed runs: " + failures);
    }
    for (String k : List.of(FRESH, RESTART)) {
      medianRun(k).ifPresent(m -> System.out.printf("median %s run: %d ms; %s%n", k, m.firstCall(), m.line()));
      Stats cpu = new Stats();
      samples.stream().filter(x -> x.kind().equals(k)).forEach(x -> cpu.add(x.cpu().total()));
      if (cpu.runs() > 0) {
        System.out.printf("%s: CPU of the cluster's processes until the first active p50 %d ms, max %d ms%n", k,
            cpu.percentile(50), cpu.max());
      }
    }
  }

  /** The run of {@code kind} whose time is the median (nearest rank), with its milestones. */
  java.util.Optional<Sample> medianRun(String kind) {
    long p50 = stats(kind).percentile(50);
    return samples.stream().filter(x -> x.kind().equals(kind) && x.firstCall() == p50).findFirst();
  }

  private long cpuP50(String kind) {
    Stats s = new Stats();
    samples.stream().filter(x -> x.kind().equals(kind)).forEach(x -> s.add(x.cpu().total()));
    return s.percentile(50);
  }

  String summary() {
    Stats f = stats(FRESH);
    Stats r = stats(RESTART);
    return String.format("first_active_fresh_p50_ms=%d first_active_fresh_max_ms=%d first_active_restart_p50_ms=%d"
        + " first_active_restart_max_ms=%d first_active_cpu_fresh_p50_ms=%d first_active_failed=%d", f.percentile(50),
        f.max(), r.percentile(50), r.max(), cpuP50(FRESH), failures);
  }
}

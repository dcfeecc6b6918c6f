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
      long readyOther, long decided, long committed, long flowsStarted) {
    String line() {
      return String.format("first leader %s, group created %s, Node-RED ready as a spare %s (active %s) / %s (other),"
          + " decided %s, committed %s, flows started %s, first accepted witness call %d ms", ms(leader),
          ms(groupCreated), ms(readyActive), active, ms(readyOther), ms(decided), ms(committed), ms(flowsStarted),
          firstCall);
    }

    private static String ms(long v) {
      return v == NONE ? "-" : v + " ms";
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
        at(StartupLog.first(activeLog, StartupLog.FLOWS_STARTED, beforeWall), startWall));
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
    System.out.println();
    System.out.println("| milestone p50, ms after the last process started | fresh | restart |");
    System.out.println("|--------------------------------------------------|-------|---------|");
    milestone("first leader elected", Sample::leader);
    milestone("group created (tandemctl group create)", Sample::groupCreated);
    milestone("the active's Node-RED ready as a spare", Sample::readyActive);
    milestone("the other's Node-RED ready as a spare", Sample::readyOther);
    milestone("the leader decides the activation", Sample::decided);
    milestone("activation committed", Sample::committed);
    milestone("the active's flows started", Sample::flowsStarted);
    milestone("first accepted witness call", Sample::firstCall);
  }

  private void milestone(String label, java.util.function.ToLongFunction<Sample> f) {
    System.out.printf("| %-48s | %5s | %7s |%n", label, p50(FRESH, f), p50(RESTART, f));
  }

  /** The median of one milestone over the runs of {@code kind} that logged it; "-" if none did. */
  String p50(String kind, java.util.function.ToLongFunction<Sample> f) {
    Stats s = new Stats();
    samples.stream().filter(x -> x.kind().equals(kind)).mapToLong(f).filter(v -> v != NONE).forEach(s::add);
    return s.runs() == 0 ? "-" : String.valueOf(s.percentile(50));
  }

  String summary() {
    Stats f = stats(FRESH);
    Stats r = stats(RESTART);
    return String.format("first_active_fresh_p50_ms=%d first_active_fresh_max_ms=%d first_active_restart_p50_ms=%d"
        + " first_active_restart_max_ms=%d first_active_failed=%d", f.percentile(50), f.max(), r.percentile(50), r.max(),
        failures);
  }
}

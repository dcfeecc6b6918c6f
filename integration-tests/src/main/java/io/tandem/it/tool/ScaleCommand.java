package io.tandem.it.tool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** bin/tandem scale: heartbeat load of many simulated groups on three coordinator processes, with real failovers measured under it. */
@Command(name = "scale", mixinStandardHelpOptions = true,
    description = {"Three coordinator processes (mutual TLS), G groups of K simulated agents in this JVM (the real",
        "AgentService heartbeat protocol, one call at a time per agent), and one real Node-RED group of two",
        "agents whose Node-RED is crashed and whose host is frozen (SIGSTOP), alternately, while the load runs.",
        "Every 10 s and at the end: heartbeat latency p50/p99/max, served/s, shed, deadline misses, failovers",
        "without a Node-RED fault, each coordinator's CPU share, RSS and GC pauses, follower lag; the crash and",
        "silent-loss failover times; a last line 'summary ...'.",
        "--search: the largest G (doubling from --groups, then bisection) at which the silent-loss p99 stays",
        "within lease + 300 ms and no failover happens without a fault. Exit code 1 if a level fails",
        "(without --search) or no level passes (with it)."})
public final class ScaleCommand implements Callable<Integer> {
  static final long LEASE_MILLIS = 2000; // ClusterSpec.defaults

  @Option(names = "--groups", defaultValue = "500", description = "Simulated groups (the start of --search) (default: ${DEFAULT-VALUE}).")
  int groups;

  @Option(names = "--agents-per-group", defaultValue = "2", description = "Simulated agents per group (default: ${DEFAULT-VALUE}).")
  int agentsPerGroup;

  @Option(names = "--rate", defaultValue = "4", description = "Heartbeats per second per agent (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--minutes", defaultValue = "1",
      description = "Load per level, in minutes; it runs on until the fault runs are done (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Option(names = "--fault-runs", defaultValue = "3", description = "Crash and silent-loss runs each per level (default: ${DEFAULT-VALUE}).")
  int faultRuns;

  @Option(names = "--deadline-ms", defaultValue = "300", description = "Each heartbeat's deadline (default: ${DEFAULT-VALUE}).")
  long deadlineMillis;

  @Option(names = "--ramp-seconds", defaultValue = "10",
      description = "The simulated agents start at random moments within this many seconds (0: all at once) (default: ${DEFAULT-VALUE}).")
  int rampSeconds;

  @Option(names = "--search", description = "Search the largest passing G (see above).")
  boolean search;

  @Option(names = "--search-levels", defaultValue = "6", description = "At most this many levels in --search (default: ${DEFAULT-VALUE}).")
  int searchLevels;

  @Option(names = "--search-minutes", defaultValue = "60",
      description = "No new --search level starts after this many minutes (default: ${DEFAULT-VALUE}).")
  double searchMinutes;

  @Override
  public Integer call() throws Exception {
    if (groups < 1 || agentsPerGroup < 1 || rate <= 0 || minutes <= 0 || faultRuns < 1 || deadlineMillis < 1
        || rampSeconds < 0 || searchLevels < 1) {
      throw new IllegalArgumentException("--groups, --agents-per-group, --fault-runs, --deadline-ms and --search-levels "
          + "must be at least 1, --rate and --minutes above 0, --ramp-seconds at least 0");
    }
    if (!search) {
      ScaleResult r = ScaleRun.run(settings(groups));
      r.print();
      boolean pass = r.passes(LEASE_MILLIS);
      System.out.println("summary " + r.summaryFields() + " pass=" + pass);
      return pass ? 0 : 1;
    }
    GroupSearch gs = new GroupSearch(groups, searchLevels, 0.1);
    long stopAt = System.nanoTime() + Math.round(searchMinutes * 60e9);
    List<String> levels = new ArrayList<>();
    for (OptionalInt g = gs.next(); g.isPresent() && System.nanoTime() - stopAt < 0; g = gs.next()) {
      ScaleResult r = ScaleRun.run(settings(g.getAsInt()));
      r.print();
      boolean pass = r.passes(LEASE_MILLIS);
      gs.record(g.getAsInt(), pass);
      String line = "level " + r.summaryFields() + " pass=" + pass;
      levels.add(line);
      System.out.println(line);
    }
    levels.forEach(System.out::println);
    System.out.printf("summary search_levels=%d largest_pass_groups=%d smallest_fail_groups=%d bound_ms=%d%n",
        gs.levels(), gs.largestPass(), gs.smallestFail(), LEASE_MILLIS + 300);
    return gs.largestPass() > 0 ? 0 : 1;
  }

  private ScaleRun.Settings settings(int g) {
    return new ScaleRun.Settings(g, agentsPerGroup, rate, Duration.ofMillis(Math.round(minutes * 60_000)), faultRuns,
        deadlineMillis, rampSeconds, 8, 4);
  }
}

package io.tandem.it.tool;

import io.tandem.it.flows.LockFlow;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.locks.LockRuns;
import io.tandem.it.redislock.RedisLockGroup;
import io.tandem.it.redislock.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench --only locks}: lock takeover when the holder's Node-RED crashes, hangs, or its host
 * vanishes (SIGSTOP of agent and Node-RED, longer than either lock's TTL, then SIGCONT), on an
 * all-active group of three instances with five {@code tandem leader} keys, side by side with
 * node-red-contrib-cluster-leader's Redis lock (three holders, one key) under the same faults; and
 * in how many host-vanishes runs two holders of a key acted at once (the witness's overlap record).
 */
final class LockBench {
  static final List<String> INSTANCES = List.of("a", "b", "c");
  /** Longer than the Redis lock's TTL (10 s) plus one retry (2 s), and than Tandem's lease. */
  static final Duration VANISH = Duration.ofSeconds(RedisLockGroup.TTL_SECONDS + 4);
  static final String CRASH = "crash (SIGKILL Node-RED)";
  static final String HANG = "hang (while(true){})";
  static final String VANISH_ROW = "host vanishes " + VANISH.toSeconds() + " s";

  private final Map<String, Stats> tandem = new LinkedHashMap<>();
  private final Map<String, Stats> redis = new LinkedHashMap<>();
  private final int[] tandemOverlap = {0, 0};
  private final int[] redisOverlap = {0, 0};
  private int staleRefused;
  private int violations;
  private boolean redisMeasured;

  /** Runs {@code runs} of each fault on Tandem, then on the Redis lock; returns the violations found. */
  int run(int runs) throws Exception {
    for (String row : List.of(CRASH, HANG, VANISH_ROW)) {
      tandem.put(row, new Stats());
      redis.put(row, new Stats());
    }
    if (RedisServer.find().isEmpty()) {
      System.out.println(RedisServer.INSTALL_HINT + ": Tandem's rows only");
    }
    Path dir = Files.createTempDirectory("tandem-bench-locks-");
    System.out.println("Starting an all-active cluster (3 instances, locks " + LockFlow.keys(5) + ") in " + dir);
    try (LocalCluster cluster = LocalCluster.start(ClusterSpec.defaults(INSTANCES).withGroup("bench-locks")
        .allActive(LockFlow.keys(5)).withWorkDir(dir.resolve("tandem")))) {
      System.out.println("locks: " + cluster.describeLocks());
      LockRuns lr = new LockRuns(cluster);
      for (int i = 1; i <= runs; i++) {
        String key = "k" + (1 + (i - 1) % 5);
        tandemRun(lr, CRASH, i, runs, () -> lr.crash(key));
        tandemRun(lr, HANG, i, runs, () -> lr.hang(key));
        LockRuns.Move m = tandemRun(lr, VANISH_ROW, i, runs, () -> lr.pauseAndReturn(key, VANISH));
        if (m != null) {
          tandemOverlap[1]++;
          tandemOverlap[0] += m.overlapped() ? 1 : 0;
          staleRefused += m.staleRefused();
        }
      }
      List<String> v = LockRuns.violations(cluster.witness());
      v.forEach(x -> System.out.println("VIOLATION " + x));
      violations = v.size();
    }
    if (RedisServer.find().isEmpty()) {
      System.out.println(RedisServer.INSTALL_HINT + "; the Redis columns stay empty");
      return violations;
    }
    System.out.println("Starting redis-server and 3 cluster-leader holders (TTL " + RedisLockGroup.TTL_SECONDS
        + " s, refresh and retry every " + RedisLockGroup.REFRESH_MILLIS + " ms)");
    redisMeasured = true;
    try (RedisLockGroup g = new RedisLockGroup(dir.resolve("redis-lock"), INSTANCES).start()) {
      for (int i = 1; i <= runs; i++) {
        redisRun(CRASH, i, runs, g::crash);
        redisRun(HANG, i, runs, g::hang);
        RedisLockGroup.Run r = redisRun(VANISH_ROW, i, runs, () -> g.pause(VANISH));
        if (r != null) {
          redisOverlap[1]++;
          redisOverlap[0] += r.overlapped() ? 1 : 0;
        }
      }
    }
    return violations;
  }

  private interface TandemFault {
    LockRuns.Move run() throws Exception;
  }

  private interface RedisFault {
    RedisLockGroup.Run run() throws Exception;
  }

  private LockRuns.Move tandemRun(LockRuns lr, String row, int i, int runs, TandemFault f) {
    Stats s = tandem.get(row);
    try {
      LockRuns.Move m = f.run();
      s.add(m.takeoverMillis());
      System.out.printf("  tandem %-26s run %2d/%d: %s %s@%d -> %s@%d in %d ms%s%s%n", row, i, runs, m.key(), m.from(),
          m.fromToken(), m.to(), m.toToken(), m.takeoverMillis(), m.overlapped() ? ", TWO HOLDERS AT ONCE" : "",
          m.staleRefused() > 0 ? ", " + m.staleRefused() + " stale calls refused" : "");
      return m;
    } catch (Exception e) {
      s.fail();
      System.out.printf("  tandem %-26s run %2d/%d FAILED: %s%n", row, i, runs, e.getMessage());
      return null;
    }
  }

  private RedisLockGroup.Run redisRun(String row, int i, int runs, RedisFault f) {
    Stats s = redis.get(row);
    try {
      RedisLockGroup.Run r = f.run();
      s.add(r.takeoverMillis());
      System.out.printf("  redis  %-26s run %2d/%d: %d ms%s%n", row, i, runs, r.takeoverMillis(),
          r.overlapped() ? ", two holders acted at once" : "");
      return r;
    } catch (Exception e) {
      s.fail();
      System.out.printf("  redis  %-26s run %2d/%d FAILED: %s%n", row, i, runs, e.getMessage());
      return null;
    }
  }

  void print() {
    System.out.println();
    System.out.println("lock takeover: fault -> another instance's first accepted witness call for the key");
    System.out.printf("| %-26s | %-23s | %-23s |%n", "fault", "Tandem p50 / p99 ms", "Redis lock p50 / p99 ms");
    System.out.println("|----------------------------|-------------------------|-------------------------|");
    for (String row : tandem.keySet()) {
      System.out.printf("| %-26s | %-23s | %-23s |%n", row, cell(tandem.get(row)),
          redisMeasured ? cell(redis.get(row)) : "not measured");
    }
    System.out.printf("runs in which two holders of a key acted at once (host vanishes %d s, then returns):"
        + " Tandem %d/%d (%d stale-token calls refused by the witness), Redis lock %s%n", VANISH.toSeconds(),
        tandemOverlap[0], tandemOverlap[1], staleRefused,
        redisMeasured ? redisOverlap[0] + "/" + redisOverlap[1] : "not measured");
    System.out.printf("summary lock_crash_p99_ms=%d lock_hang_p99_ms=%d lock_vanish_p99_ms=%d redis_crash_p99_ms=%d"
        + " redis_hang_p99_ms=%d redis_vanish_p99_ms=%d tandem_overlap_runs=%d/%d redis_overlap_runs=%d/%d"
        + " violations=%d%n", p99(tandem, CRASH), p99(tandem, HANG), p99(tandem, VANISH_ROW), p99(redis, CRASH),
        p99(redis, HANG), p99(redis, VANISH_ROW), tandemOverlap[0], tandemOverlap[1], redisOverlap[0],
        redisOverlap[1], violations);
  }

  private static String cell(Stats s) {
    return s.runs() == 0 ? "-" : s.percentile(50) + " / " + s.percentile(99)
        + " (" + s.runs() + (s.failures() > 0 ? ", " + s.failures() + " failed" : "") + ")";
  }

  private static long p99(Map<String, Stats> t, String row) {
    Stats s = t.get(row);
    return s == null || s.runs() == 0 ? -1 : s.percentile(99);
  }
}

package io.tandem.it.locks;

import io.tandem.it.check.HistoryChecker;
import io.tandem.it.check.Verdict;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.witness.Witness;
import io.tandem.it.witness.WitnessCall;
import io.tandem.proto.admin.LockView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Faults on the holder of one lock of an all-active {@link LocalCluster} running the lock flows:
 * each run returns how the key moved (old and new holder and token, the takeover time from the
 * fault to the new holder's first accepted witness call for the key) and leaves every lock held
 * and serving again.
 */
public final class LockRuns {
  public static final Duration STEADY = Duration.ofSeconds(90);
  private static final long TAKEOVER_TIMEOUT_MS = 30_000;
  private final LocalCluster cluster;

  /**
   * One move of a key.
   *
   * @param overlapped whether the witness recorded two holders of a key acting at once during the run
   * @param staleRefused calls the witness refused during the run for a token lower than one it had seen
   */
  public record Move(String key, String from, long fromToken, String to, long toToken, long takeoverMillis,
      boolean overlapped, int staleRefused) {}

  public LockRuns(LocalCluster cluster) {
    this.cluster = cluster;
  }

  /** The lock of {@code key} now (from the group view). */
  public LockView lock(String key) {
    return cluster.group().getLocksList().stream().filter(l -> l.getKey().equals(key)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no lock " + key + "; locks: " + cluster.describeLocks()));
  }

  private Move takeover(String key, LockView before, int mark, int overlaps, long t0) throws InterruptedException {
    Witness w = cluster.witness();
    Optional<WitnessCall> c = w.await(mark, x -> x.accepted() && x.key().equals(key)
        && !x.instance().equals(before.getHolder()), TAKEOVER_TIMEOUT_MS);
    if (c.isEmpty()) {
      throw new IllegalStateException("key " + key + " did not move from " + before.getHolder() + " within "
          + TAKEOVER_TIMEOUT_MS + " ms; locks: " + cluster.describeLocks() + " (logs in " + cluster.workDir() + ")");
    }
    return new Move(key, before.getHolder(), before.getToken(), c.get().instance(), c.get().token(),
        (c.get().nanos() - t0) / 1_000_000, w.overlaps().size() > overlaps, 0);
  }

  private Move finish(Move m, int mark, int overlaps) {
    cluster.awaitLocksSteady(STEADY);
    Witness w = cluster.witness();
    int stale = (int) w.staleTokens().stream().filter(c -> c.seq() >= mark && !c.accepted()).count();
    return new Move(m.key(), m.from(), m.fromToken(), m.to(), m.toToken(), m.takeoverMillis(),
        w.overlaps().size() > overlaps, stale);
  }

  /** SIGKILL of the holder's Node-RED (its agent starts a new one). */
  public Move crash(String key) throws InterruptedException {
    LockView before = lock(key);
    int mark = cluster.witness().size();
    int overlaps = cluster.witness().overlaps().size();
    long t0 = Faults.crashNodeRed(cluster.agent(before.getHolder()));
    return finish(takeover(key, before, mark, overlaps, t0), mark, overlaps);
  }

  /** The holder's Node-RED hangs (a function node running while(true), triggered on that instance only). */
  public Move hang(String key) throws InterruptedException {
    LockView before = lock(key);
    int mark = cluster.witness().size();
    int overlaps = cluster.witness().overlaps().size();
    long t0 = Faults.hangNodeRed(cluster.agent(before.getHolder()));
    return finish(takeover(key, before, mark, overlaps, t0), mark, overlaps);
  }

  /** The holder's host vanishes: SIGSTOP of its agent and Node-RED; then the agent is killed and started again. */
  public Move vanish(String key) throws InterruptedException {
    LockView before = lock(key);
    AgentNode holder = cluster.agent(before.getHolder());
    int mark = cluster.witness().size();
    int overlaps = cluster.witness().overlaps().size();
    long t0 = Faults.freezeHost(holder);
    Move m;
    try {
      m = takeover(key, before, mark, overlaps, t0);
    } finally {
      Faults.killAgent(holder);
      holder.process().start();
    }
    return finish(m, mark, overlaps);
  }

  /**
   * SIGSTOP of the holder's Node-RED alone for {@code pause} (its agent runs on, finds it hung and
   * kills it, or it wakes up when the pause ends): then SIGCONT if it still exists.
   */
  public Move pauseNodeRed(String key, Duration pause) throws InterruptedException {
    LockView before = lock(key);
    AgentNode holder = cluster.agent(before.getHolder());
    int mark = cluster.witness().size();
    int overlaps = cluster.witness().overlaps().size();
    long pid = holder.nodeRedPid(Duration.ofSeconds(5));
    long t0 = System.nanoTime();
    io.tandem.it.harness.ProcessRegistry.signal(pid, "STOP");
    Move m;
    try {
      m = takeover(key, before, mark, overlaps, t0);
      long left = pause.toMillis() - (System.nanoTime() - t0) / 1_000_000;
      if (left > 0) {
        Thread.sleep(left);
      }
    } finally {
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        io.tandem.it.harness.ProcessRegistry.signal(pid, "CONT");
      }
    }
    Thread.sleep(1000);
    return finish(m, mark, overlaps);
  }

  /**
   * The holder's host vanishes (SIGSTOP of agent and Node-RED) for {@code pause}, longer than the
   * lease, and returns (SIGCONT): its Node-RED may wake with its old token before its agent has
   * caught up; the witness refuses those calls (counted in {@link Move#staleRefused()}).
   */
  public Move pauseAndReturn(String key, Duration pause) throws InterruptedException {
    LockView before = lock(key);
    AgentNode holder = cluster.agent(before.getHolder());
    int mark = cluster.witness().size();
    int overlaps = cluster.witness().overlaps().size();
    Faults.PausedHost paused = Faults.pauseHost(holder);
    long t0 = paused.pausedAtNanos();
    Move m;
    try {
      m = takeover(key, before, mark, overlaps, t0);
      long left = pause.toMillis() - (System.nanoTime() - t0) / 1_000_000;
      if (left > 0) {
        Thread.sleep(left);
      }
    } finally {
      paused.resume();
    }
    Thread.sleep(3000); // the returned instance's flows run on, its agent catches up and fences
    return finish(m, mark, overlaps);
  }

  /** The per-key checks of the whole history so far (PAUSES: frozen runtimes may wake with stale calls). */
  public static List<String> violations(Witness w) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Verdict> e : HistoryChecker.checkPerKey(w.calls(), HistoryChecker.Mode.PAUSES).entrySet()) {
      e.getValue().violations().forEach(v -> out.add("key " + e.getKey() + ": " + v));
    }
    w.overlaps().forEach(o -> out.add("OVERLAP " + o));
    return out;
  }
}

package io.tandem.it.redislock;

import io.tandem.it.harness.HarnessException;
import io.tandem.it.harness.ManagedProcess;
import io.tandem.it.harness.ProcessRegistry;
import io.tandem.it.harness.Waits;
import io.tandem.it.witness.Witness;
import io.tandem.it.witness.WitnessCall;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The baseline of the lock benchmark: node-red-contrib-cluster-leader's Redis lock (holder.js, one
 * process per instance, all wanting one key) against a real redis-server, with a witness that
 * checks no token (the lock has none) and records when two holders acted at once. Each fault run
 * returns the takeover time: from the fault to the first call of another holder.
 */
public final class RedisLockGroup implements AutoCloseable {
  public static final String KEY = "nodered:leader";
  /** cluster-leader's defaults, from its README: a 10 s TTL, refreshed (and retried) every 2 s. */
  public static final int TTL_SECONDS = 10;
  public static final int REFRESH_MILLIS = 2000;
  public static final int CALL_MILLIS = 50;
  private static final long TAKEOVER_TIMEOUT_MS = 3L * TTL_SECONDS * 1000;

  private final Path dir;
  private final RedisServer redis;
  private final Witness witness;
  private final List<ManagedProcess> holders = new ArrayList<>();
  private final List<String> instances;

  /** A run: its takeover time, and whether two holders acted at once during it. */
  public record Run(long takeoverMillis, boolean overlapped) {}

  public RedisLockGroup(Path dir, List<String> instances) {
    this.dir = dir;
    this.instances = List.copyOf(instances);
    this.redis = new RedisServer(dir.resolve("redis"));
    this.witness = new Witness(dir.resolve("redis-witness.log"), false);
  }

  public RedisLockGroup start() {
    Path script = dir.resolve("holder.js");
    try (InputStream in = RedisLockGroup.class.getResourceAsStream("holder.js")) {
      if (in == null) {
        throw new HarnessException("holder.js is not on the classpath");
      }
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + script, e);
    }
    redis.start();
    for (String i : instances) {
      ManagedProcess p = new ManagedProcess("holder-" + i, List.of("node", script.toString(),
          Integer.toString(redis.port()), KEY, i, witness.callUrl(), Integer.toString(TTL_SECONDS),
          Integer.toString(REFRESH_MILLIS), Integer.toString(CALL_MILLIS)), Map.of(), dir,
          dir.resolve("holder-" + i + ".log"));
      holders.add(p);
      p.start();
    }
    holder();
    return this;
  }

  public Witness witness() {
    return witness;
  }

  /** The instance whose call the witness saw last (the holder), waiting for a fresh call. */
  public String holder() {
    int from = witness.size();
    return Waits.until("a Redis lock holder calling the witness", Duration.ofSeconds(TTL_SECONDS * 3L),
        Duration.ofMillis(20), () -> {
          holders.forEach(ManagedProcess::assertAlive);
          List<WitnessCall> since = witness.callsSince(from);
          return since.isEmpty() ? Optional.empty() : Optional.of(since.get(since.size() - 1).instance());
        });
  }

  private ManagedProcess process(String instance) {
    return holders.get(instances.indexOf(instance));
  }

  private long takeover(int mark, String old, long t0) throws InterruptedException {
    Optional<WitnessCall> c = witness.await(mark, x -> !x.instance().equals(old), TAKEOVER_TIMEOUT_MS);
    if (c.isEmpty()) {
      throw new IllegalStateException("no Redis lock takeover within " + TAKEOVER_TIMEOUT_MS + " ms (logs in " + dir + ")");
    }
    return (c.get().nanos() - t0) / 1_000_000;
  }

  /** SIGKILL of the holder; the killed holder is started again (as a follower) afterwards. */
  public Run crash() throws InterruptedException {
    String old = holder();
    ManagedProcess p = process(old);
    int mark = witness.size();
    long t0 = System.nanoTime();
    p.kill();
    long ms = takeover(mark, old, t0);
    p.start();
    return new Run(ms, false);
  }

  /** The holder's event loop blocks (SIGUSR1: while(true)): it stops refreshing and calling, stays alive. */
  public Run hang() throws InterruptedException {
    String old = holder();
    ManagedProcess p = process(old);
    int mark = witness.size();
    long t0 = System.nanoTime();
    ProcessRegistry.signal(p.pid(), "USR1");
    long ms = takeover(mark, old, t0);
    p.kill();
    p.start();
    return new Run(ms, false);
  }

  /**
   * The holder's host vanishes for {@code pause} (SIGSTOP), longer than the TTL, then returns
   * (SIGCONT). Returns the takeover time and whether, after its return, the old holder acted while
   * the new one did (the witness's overlap record).
   */
  public Run pause(Duration pause) throws InterruptedException {
    String old = holder();
    ManagedProcess p = process(old);
    int mark = witness.size();
    int overlapsBefore = witness.overlaps().size();
    long t0 = System.nanoTime();
    p.pause();
    long ms;
    try {
      ms = takeover(mark, old, t0);
      long left = pause.toMillis() - (System.nanoTime() - t0) / 1_000_000;
      if (left > 0) {
        Thread.sleep(left);
      }
    } finally {
      p.resume();
    }
    Thread.sleep(REFRESH_MILLIS + 1000L); // the returned holder learns at its next refresh that it lost the key
    return new Run(ms, witness.overlaps().size() > overlapsBefore);
  }

  @Override
  public void close() {
    holders.forEach(ManagedProcess::kill);
    redis.close();
    witness.close();
  }
}

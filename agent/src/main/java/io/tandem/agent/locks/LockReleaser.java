package io.tandem.agent.locks;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.agent.groupdata.GroupDataClient;
import io.tandem.proto.agent.ReleaseLockRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends ReleaseLock for keys this agent gives up, on its own thread, one call per key and token at
 * a time; a failed call may be asked again after {@link #RETRY_GAP_NANOS}. Never blocks the caller.
 */
final class LockReleaser implements Locks.Releaser, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LockReleaser.class);
  static final long RETRY_GAP_NANOS = 1_000_000_000L;
  private final String group;
  private final String instance;
  private final GroupDataClient client;
  private final Map<String, Long> lastAsked = new HashMap<>(); // "key@token" -> nanoTime
  private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tandem-lock-release");
    t.setDaemon(true);
    return t;
  });

  LockReleaser(String group, String instance, GroupDataClient client) {
    this.group = group;
    this.instance = instance;
    this.client = client;
  }

  @Override
  public void release(String key, long token) {
    String id = key + "@" + token;
    long now = System.nanoTime();
    synchronized (lastAsked) {
      Long at = lastAsked.get(id);
      if (at != null && (at == Long.MAX_VALUE || now - at < RETRY_GAP_NANOS)) {
        return;
      }
      lastAsked.put(id, now);
    }
    try {
      pool.execute(() -> send(id, key, token));
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the agent is stopping: the keeper releases what its heartbeats no longer want
    }
  }

  private void send(String id, String key, long token) {
    try {
      client.releaseLock(ReleaseLockRequest.newBuilder().setGroup(group).setInstance(instance)
          .setKey(key).setToken(token).build());
      log.info("lock {} released (token {})", key, token);
      done(id);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
        log.info("lock {} (token {}) was no longer held here: {}", key, token,
            e.getStatus().getDescription());
        done(id);
      } else {
        log.warn("could not release lock {} (token {}): {}; asking again", key, token, e.getStatus());
      }
    } catch (RuntimeException e) {
      log.warn("could not release lock {} (token {})", key, token, e);
    }
  }

  /** Never asked again for this key and token (the answer is final). */
  private void done(String id) {
    synchronized (lastAsked) {
      lastAsked.put(id, Long.MAX_VALUE);
      if (lastAsked.size() > 4096) {
        lastAsked.values().removeIf(v -> v == Long.MAX_VALUE);
      }
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}

package io.tandem.agent.http;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * {@code GET /active?waitMillis=N} (N up to {@value #MAX_MILLIS}): a proxy that has no instance to
 * send a request to during a switch (ops/nginx/tandem.conf) asks each agent to hold the answer
 * until its instance is the active. The agent answers as soon as its instance is the active (200),
 * else after N ms (503). Without the parameter, or with 0, /active answers at once as before. (It
 * does not answer a standby's 503 early when another instance is the committed active: during a
 * crash the survivor still names the dead active for about 70 ms, and an early 503 there ended the
 * proxy's hold before the survivor was promoted; measured with NginxFailoverIT.)
 */
final class ActiveWait {
  static final long MAX_MILLIS = 5_000;
  static final long POLL_MILLIS = 10;

  private ActiveWait() {}

  /** The waitMillis parameter: absent or not a number: 0; otherwise clamped to 0..MAX_MILLIS. */
  static long millis(String param) {
    if (param == null || param.isBlank()) {
      return 0;
    }
    try {
      return Math.max(0, Math.min(MAX_MILLIS, Long.parseLong(param.trim())));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Runs {@code answer} once the instance is the active or at {@code deadlineNanos}, polling the snapshot. */
  static void await(Supplier<AgentSnapshot> snapshot, long deadlineNanos, Scheduler scheduler, Runnable answer) {
    long now = System.nanoTime();
    if (snapshot.get().activeNow(now) || now - deadlineNanos >= 0) {
      answer.run();
      return;
    }
    scheduler.schedule(() -> await(snapshot, deadlineNanos, scheduler, answer), POLL_MILLIS, TimeUnit.MILLISECONDS);
  }
}

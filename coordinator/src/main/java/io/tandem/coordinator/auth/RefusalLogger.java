package io.tandem.coordinator.auth;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused calls at most once per interval (a misconfigured agent retries many times a
 * second), with the count of refusals not logged since the last line.
 */
public final class RefusalLogger {
  private static final Logger LOG = LoggerFactory.getLogger(RefusalLogger.class);
  private final LongSupplier nanos;
  private final long intervalNanos;
  private final AtomicLong nextAt;
  private final AtomicLong suppressed = new AtomicLong();

  public RefusalLogger(LongSupplier nanos, long intervalNanos) {
    this.nanos = nanos;
    this.intervalNanos = intervalNanos;
    this.nextAt = new AtomicLong(nanos.getAsLong());
  }

  /** Returns true if this refusal was logged. */
  public boolean refused(String reason, String method, String sentence) {
    long now = nanos.getAsLong();
    long due = nextAt.get();
    if (now - due < 0 || !nextAt.compareAndSet(due, now + intervalNanos)) {
      suppressed.incrementAndGet();
      return false;
    }
    long more = suppressed.getAndSet(0);
    LOG.warn("refused {} ({}): {}{}", method, reason, sentence,
        more == 0 ? "" : " (" + more + " more refusals since the last such line)");
    return true;
  }
}

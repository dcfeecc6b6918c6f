package io.tandem.coordinator.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded polling for tests. */
public final class Waits {
  private Waits() {}

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Polls {@code condition} every 20 ms until true; throws naming {@code what} on timeout. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet (e.g. no leader right now)
      }
      sleep(20);
    }
    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
  }
}

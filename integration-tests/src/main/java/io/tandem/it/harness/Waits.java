package io.tandem.it.harness;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Bounded polling: every wait has a deadline and says what it waited for when it gives up. */
public final class Waits {
  private Waits() {}

  /** Polls {@code probe} every {@code every} until it returns a value or {@code timeout} passes. */
  public static <T> T until(String what, Duration timeout, Duration every, Supplier<Optional<T>> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException lastError = null;
    while (true) {
      try {
        Optional<T> v = probe.get();
        if (v.isPresent()) {
          return v.get();
        }
      } catch (HarnessException e) {
        throw e; // a definitive failure (e.g. a process died): no point in waiting longer
      } catch (RuntimeException e) {
        lastError = e;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new HarnessException("timed out after " + timeout.toMillis() + " ms waiting for " + what
            + (lastError == null ? "" : " (last error: " + lastError + ")"), lastError);
      }
      sleep(every);
    }
  }

  public static void until(String what, Duration timeout, Supplier<Boolean> condition) {
    until(what, timeout, Duration.ofMillis(20), () -> condition.get() ? Optional.of(true) : Optional.empty());
  }

  /** Polls {@code condition} every {@code every} until it holds or {@code timeout} passes. */
  public static void until(String what, Duration timeout, Duration every, java.util.function.BooleanSupplier condition) {
    until(what, timeout, every, () -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty());
  }

  public static void sleep(Duration d) {
    try {
      Thread.sleep(Math.max(1, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HarnessException("interrupted", e);
    }
  }
}

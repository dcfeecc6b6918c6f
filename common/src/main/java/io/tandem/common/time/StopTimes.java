package io.tandem.common.time;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long each step of a planned stop took, for the "stopped in ..." line: an operator whose
 * service manager waits for the stop sees where the time went.
 */
public final class StopTimes {
  private final LongSupplier nanos;
  private final long started;
  private long last;
  private final Map<String, Long> steps = new LinkedHashMap<>();

  /** Starts timing now; {@code nanos} is a monotonic clock (System::nanoTime). */
  public StopTimes(LongSupplier nanos) {
    this.nanos = nanos;
    this.started = nanos.getAsLong();
    this.last = started;
  }

  /** Ends the step {@code name}: the time since the previous step (or the start). */
  public void step(String name) {
    long now = nanos.getAsLong();
    steps.put(name, TimeUnit.NANOSECONDS.toMillis(now - last));
    last = now;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder()
        .append(TimeUnit.NANOSECONDS.toMillis(last - started)).append(" ms (");
    steps.forEach((name, ms) -> s.append(name).append(' ').append(ms).append(" ms, "));
    if (!steps.isEmpty()) {
      s.setLength(s.length() - 2);
    }
    return s.append(')').toString();
  }
}

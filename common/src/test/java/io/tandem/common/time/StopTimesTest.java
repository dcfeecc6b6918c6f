package io.tandem.common.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StopTimesTest {
  private final AtomicLong clock = new AtomicLong(TimeUnit.SECONDS.toNanos(100));

  private void advanceMillis(long ms) {
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void eachStepIsTheTimeSinceThePreviousOneAndTheTotalIsTheirSum() {
    StopTimes times = new StopTimes(clock::get);
    advanceMillis(12);
    times.step("flows");
    advanceMillis(0);
    times.step("report");
    advanceMillis(2507);
    times.step("http");
    assertThat(times).hasToString("2519 ms (flows 12 ms, report 0 ms, http 2507 ms)");
  }

  @Test
  void theTotalRunsToTheLastStep() {
    StopTimes times = new StopTimes(clock::get);
    advanceMillis(30);
    times.step("flows");
    advanceMillis(40);
    assertThat(times).hasToString("30 ms (flows 30 ms)");
  }
}

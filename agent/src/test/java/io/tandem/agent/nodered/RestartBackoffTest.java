package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {
  private static final Duration QUICK = Duration.ofSeconds(1);

  @Test
  void doublesAfterQuickExitsUpToTheMaximum() {
    RestartBackoff b = new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(30));
    assertThat(b.next(QUICK)).isEqualTo(Duration.ofMillis(200));
    assertThat(b.next(QUICK)).isEqualTo(Duration.ofMillis(400));
    assertThat(b.next(QUICK)).isEqualTo(Duration.ofMillis(800));
    assertThat(b.next(QUICK)).isEqualTo(Duration.ofSeconds(1));
    for (int i = 0; i < 100; i++) {
      assertThat(b.next(QUICK)).isEqualTo(Duration.ofSeconds(1));
    }
  }

  @Test
  void startsOverAfterAHealthyRun() {
    RestartBackoff b = new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(30));
    b.next(QUICK);
    b.next(QUICK);
    assertThat(b.next(QUICK)).isEqualTo(Duration.ofMillis(800));
    assertThat(b.next(Duration.ofSeconds(31))).isEqualTo(Duration.ofMillis(200));
    assertThat(b.next(QUICK)).isEqualTo(Duration.ofMillis(400));
  }
}

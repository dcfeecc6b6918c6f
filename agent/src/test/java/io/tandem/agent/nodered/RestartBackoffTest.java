package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {
  @Test
  void doublesAfterExitsAtBootUpToTheMaximum() {
    RestartBackoff b = new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));
    assertThat(b.next(false)).isEqualTo(Duration.ofMillis(200));
    assertThat(b.next(false)).isEqualTo(Duration.ofMillis(400));
    assertThat(b.next(false)).isEqualTo(Duration.ofMillis(800));
    assertThat(b.next(false)).isEqualTo(Duration.ofSeconds(1));
    for (int i = 0; i < 100; i++) {
      assertThat(b.next(false)).isEqualTo(Duration.ofSeconds(1));
    }
  }

  /** Repeated crashes of a runtime that was a ready spare or the active: each restart comes at once. */
  @Test
  void aRuntimeThatBecameReadyRestartsAfterTheMinimumEveryTime() {
    RestartBackoff b = new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(10));
    for (int i = 0; i < 10; i++) {
      assertThat(b.next(true)).isEqualTo(Duration.ofMillis(200));
    }
    b.next(false);
    b.next(false);
    assertThat(b.next(false)).isEqualTo(Duration.ofMillis(800));
    assertThat(b.next(true)).as("ready again: starts over").isEqualTo(Duration.ofMillis(200));
    assertThat(b.next(false)).isEqualTo(Duration.ofMillis(200));
    assertThat(b.next(false)).isEqualTo(Duration.ofMillis(400));
  }
}

package io.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {
  private static final long MS = 1_000_000L;

  @Test
  void percentilesAreTheUpperEdgeOfTheirTenthOfAMillisecond() {
    LatencyStats s = new LatencyStats();
    for (int i = 1; i <= 100; i++) {
      s.record(i * MS);
    }
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.percentileMillis(0.5)).isEqualTo(50.1);
    assertThat(s.percentileMillis(0.99)).isEqualTo(99.1);
    assertThat(s.maxMillis()).isEqualTo(100.0);
  }

  @Test
  void samplesBeyondTheRangeCountAsTheirMaximum() {
    LatencyStats s = new LatencyStats();
    s.record(2 * MS);
    s.record(30_000 * MS);
    assertThat(s.percentileMillis(1.0)).isEqualTo(30_000.0);
    assertThat(s.percentileMillis(0.5)).isEqualTo(2.1);
  }

  @Test
  void noSamplesMeansZeroAndResetEmpties() {
    LatencyStats s = new LatencyStats();
    assertThat(s.percentileMillis(0.99)).isZero();
    s.record(5 * MS);
    s.reset();
    assertThat(s.count()).isZero();
    assertThat(s.maxMillis()).isZero();
  }
}

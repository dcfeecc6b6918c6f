package io.tandem.it.tool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void nearestRankPercentiles() {
    Stats s = new Stats();
    for (long v : new long[] {50, 10, 40, 20, 30}) {
      s.add(v);
    }
    assertThat(s.percentile(50)).isEqualTo(30);
    assertThat(s.percentile(99)).isEqualTo(50);
    assertThat(s.percentile(20)).isEqualTo(10);
    assertThat(s.max()).isEqualTo(50);
    assertThat(s.lastSample()).isEqualTo(30);
    assertThat(s.runs()).isEqualTo(5);
  }

  @Test
  void twentySamplesP99IsTheMaximumAndEmptyIsMinusOne() {
    Stats s = new Stats();
    assertThat(s.percentile(99)).isEqualTo(-1);
    for (int i = 1; i <= 20; i++) {
      s.add(i * 10L);
    }
    assertThat(s.percentile(99)).isEqualTo(200);
    assertThat(s.percentile(50)).isEqualTo(100);
    s.fail();
    assertThat(s.failures()).isEqualTo(1);
  }
}

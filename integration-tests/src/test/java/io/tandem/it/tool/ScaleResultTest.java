package io.tandem.it.tool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScaleResultTest {
  @Test
  void passesOnlyWithSilentLossWithinLeasePlus300MsAndNoFailoverWithoutAFault() {
    assertThat(ScaleResult.passes(2300, 3, 0, 0, 2000)).isTrue();
    assertThat(ScaleResult.passes(2301, 3, 0, 0, 2000)).isFalse();
    assertThat(ScaleResult.passes(2100, 3, 0, 1, 2000)).as("a failover without a fault").isFalse();
    assertThat(ScaleResult.passes(2100, 3, 1, 0, 2000)).as("a failed silent run").isFalse();
    assertThat(ScaleResult.passes(-1, 0, 0, 0, 2000)).as("no silent run at all").isFalse();
  }
}

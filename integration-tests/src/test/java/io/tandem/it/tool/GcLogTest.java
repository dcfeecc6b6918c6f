package io.tandem.it.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class GcLogTest {
  @Test
  void countsPausesOfEveryKindButNotConcurrentPhases() {
    GcLog g = GcLog.parse(List.of(
        "[0.010s][info][gc] Using G1",
        "[1.234s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 23M->4M(256M) 3.123ms",
        "[2.000s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 50M->40M(256M) 10.5ms",
        "[2.100s][info][gc] GC(2) Concurrent Mark Cycle 80.000ms",
        "[2.050s][info][gc] GC(2) Pause Remark 45M->45M(256M) 1.000ms",
        "[9.000s][info][gc] GC(3) Pause Full (System.gc()) 60M->20M(256M) 120.250ms"));
    assertThat(g.count()).isEqualTo(4);
    assertThat(g.totalMs()).isCloseTo(134.873, within(1e-9));
    assertThat(g.maxMs()).isEqualTo(120.25);
  }

  @Test
  void sinceIsTheDifferenceOfTwoReadings() {
    GcLog a = new GcLog(3, 30, 20);
    GcLog b = new GcLog(5, 70, 25);
    assertThat(b.since(a).count()).isEqualTo(2);
    assertThat(b.since(a).totalMs()).isEqualTo(40);
  }
}

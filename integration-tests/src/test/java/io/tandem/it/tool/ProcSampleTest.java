package io.tandem.it.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProcSampleTest {
  @Test
  void cpuTicksAreUtimePlusStimeEvenWhenTheCommandNameHasSpacesAndParentheses() {
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 5000 0 0 0 321 79 0 0 20 0 40 0 100 1 1";
    assertThat(ProcSample.cpuTicks(stat)).isEqualTo(400);
  }

  @Test
  void rssIsVmRssInKb() {
    assertThat(ProcSample.rssKb("Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\nThreads:\t40\n")).isEqualTo(123456);
    assertThat(ProcSample.rssKb("Name:\tzombie\n")).isZero();
  }

  @Test
  void coreShareAndMicrosAreTheTicksBetweenTwoReadings() {
    ProcSample a = new ProcSample(0, 1000, 1);
    ProcSample b = new ProcSample(2_000_000_000L, 1050, 1); // 50 ticks = 0.5 s of CPU in 2 s
    assertThat(b.coreShareSince(a)).isCloseTo(0.25, within(1e-9));
    assertThat(b.cpuMicrosSince(a)).isEqualTo(500_000);
  }

  @Test
  void thisJvmCanBeRead() {
    ProcSample s = ProcSample.of(ProcessHandle.current().pid()).orElseThrow();
    assertThat(s.rssKb()).isPositive();
    assertThat(s.cpuTicks()).isPositive();
  }
}

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
    ProcSample a = new ProcSample(0, 1000, 1, 1);
    ProcSample b = new ProcSample(2_000_000_000L, 1050, 1, 1); // 50 ticks = 0.5 s of CPU in 2 s
    assertThat(b.coreShareSince(a)).isCloseTo(0.25, within(1e-9));
    assertThat(b.cpuMicrosSince(a)).isEqualTo(500_000);
  }

  @Test
  void thisJvmCanBeRead() {
    ProcSample s = ProcSample.of(ProcessHandle.current().pid()).orElseThrow();
    assertThat(s.rssKb()).isPositive();
    assertThat(s.cpuTicks()).isPositive();
  }

  @Test
  void cpuTicksAreUtimePlusStimeEvenWithSpacesInTheName() {
    String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 12345 0 3 0 731 269 0 0 20 0 31 0 "
        + "1000 2000000000 40000 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0";
    assertThat(ProcSample.cpuTicks(stat)).isEqualTo(1000);
  }

  @Test
  void statusNumbers() {
    String status = "Name:\tjava\nState:\tS (sleeping)\nVmRSS:\t   81234 kB\nThreads:\t31\n";
    assertThat(ProcSample.statusKb(status, "VmRSS")).isEqualTo(81234);
    assertThat(ProcSample.statusKb(status, "Threads")).isEqualTo(31);
    assertThat(ProcSample.statusKb(status, "VmSwap")).isEqualTo(-1);
  }

  @Test
  void cpuShareOfOneCore() {
    ProcSample a = new ProcSample(0, 100, 1, 1);
    ProcSample b = new ProcSample(0, 160, 1, 1);
    assertThat(ProcSample.cpuPercent(a, b, 60, 100)).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void readsThisJvm() throws Exception {
    ProcSample s = ProcSample.read(ProcessHandle.current().pid());
    assertThat(s.rssKb()).isPositive();
    assertThat(s.threads()).isPositive();
    assertThat(s.cpuTicks()).isNotNegative();
  }
}

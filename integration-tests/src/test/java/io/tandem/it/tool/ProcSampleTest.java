package io.tandem.it.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProcSampleTest {
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
    ProcSample a = new ProcSample(100, 1, 1);
    ProcSample b = new ProcSample(160, 1, 1);
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

package io.tandem.it.tool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AbResultTest {
  private static final String REPORT = String.join("\n",
      "Concurrency Level:      50",
      "Time taken for tests:   30.001 seconds",
      "Complete requests:      16873",
      "Failed requests:        12",
      "   (Connect: 0, Receive: 4, Length: 8, Exceptions: 0)",
      "Non-2xx responses:      8",
      "Requests per second:    562.41 [#/sec] (mean)",
      "Percentage of the requests served within a certain time (ms)",
      "  50%     72",
      "  66%     90",
      "  99%    317",
      " 100%    693 (longest request)", "");

  @Test
  void readsCountsAndPercentiles() {
    AbResult r = AbResult.parse(REPORT);
    assertThat(r).isEqualTo(new AbResult(16873, 12, 8, 72, 317, 693, 562.41));
    assertThat(r.unsuccessful()).isEqualTo(20);
  }

  @Test
  void noNon2xxLineMeansNone() {
    AbResult r = AbResult.parse(REPORT.replace("Non-2xx responses:      8\n", ""));
    assertThat(r.non2xx()).isZero();
    assertThat(r.failed()).isEqualTo(12);
  }

  @Test
  void aReportWithoutFiguresIsMarkedMissing() {
    AbResult r = AbResult.parse("apr_socket_connect(): Connection refused (111)\n");
    assertThat(r.complete()).isEqualTo(-1);
    assertThat(r.p50()).isEqualTo(-1);
  }
}

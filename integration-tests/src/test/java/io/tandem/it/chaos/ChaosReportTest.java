package io.tandem.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.fault.FaultKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A run without libfaketime says so in one line at the start and in the summary. */
class ChaosReportTest {
  @Test
  void withoutLibfaketimeTheRunSkipsClockFaultsAndSaysSo() {
    String note = ChaosRun.clockNote(Optional.of("libfaketime is not installed (looked in /x): run `sudo apt-get install faketime`"));
    assertThat(note).isEqualTo("note: this run has no clock faults: libfaketime is not installed"
        + " (looked in /x): run `sudo apt-get install faketime`");
    ChaosReport r = new ChaosReport(7, Map.of(FaultKind.values()[0], 2), 0, 3, List.of(), Path.of("/tmp/x"),
        List.of(note), false, 5, 4);
    List<String> lines = r.lines();
    assertThat(lines.get(lines.size() - 2)).isEqualTo(note);
    assertThat(lines).contains("deploys: 4 committed of 5 tried during the faults");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("summary faults=2 activations=3 violations=0 seed=7 clock-faults=off");
  }

  @Test
  void withClockFaultsNothingIsAdded() {
    assertThat(ChaosRun.clockNote(Optional.empty())).isNull();
    ChaosReport r = new ChaosReport(7, Map.of(), 0, 0, List.of(), Path.of("/tmp/x"), List.of(), true, 0, 0);
    assertThat(r.summary()).isEqualTo("summary faults=0 activations=0 violations=0 seed=7");
  }
}

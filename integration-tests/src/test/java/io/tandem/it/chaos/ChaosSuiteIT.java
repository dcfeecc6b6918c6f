package io.tandem.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.fault.Nemesis;
import io.tandem.it.harness.ClusterSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bounded chaos suite of the default test run: a few minutes of random faults against a real
 * local cluster, with changed flows deployed through the active's editor every few seconds, then
 * the properties of {@link ChaosChecker}. Replay a failure with
 * {@code -Dtandem.chaos.seed=S}; make it longer with {@code -Dtandem.chaos.seconds=N}.
 */
class ChaosSuiteIT {
  @Test
  void randomFaultsNeverBreakSafetyOrLiveness() throws Exception {
    long seed = Long.getLong("tandem.chaos.seed", Nemesis.newSeed());
    Duration budget = Duration.ofSeconds(Long.getLong("tandem.chaos.seconds", 150));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    System.out.println("ChaosSuiteIT: seed=" + seed + " (replay with -Dtandem.chaos.seed=" + seed + ")");
    // CI probe timings (1 s): a loaded 2-core machine makes 250 ms probes miss and churns failovers
    ChaosReport report = ChaosRun.run(seed, budget, ClusterSpec.forCi(List.of("a", "b")), out);
    String text = buf.toString(StandardCharsets.UTF_8) + String.join("\n", report.lines());
    System.out.println(text);
    assertThat(report.findings()).as("chaos run, seed %d:%n%s", seed, text).isEmpty();
    assertThat(report.faults()).as("faults injected").isPositive();
    assertThat(report.activations()).as("activations seen by the witness").isPositive();
    assertThat(report.deploysCommitted()).as("revisions committed by deploys during the faults").isPositive();
  }

  /**
   * The all-active topology: three instances running five {@code tandem leader} keys under the same
   * random faults (bounded: {@code -Dtandem.chaos.locks.seconds}, default 60), checked per key.
   */
  @Test
  void randomFaultsNeverGiveALockTwoHolders() throws Exception {
    long seed = Long.getLong("tandem.chaos.seed", Nemesis.newSeed());
    Duration budget = Duration.ofSeconds(Long.getLong("tandem.chaos.locks.seconds", 60));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    System.out.println("ChaosSuiteIT locks: seed=" + seed + " (replay with -Dtandem.chaos.seed=" + seed + ")");
    ChaosReport report = LockChaosRun.run(seed, budget, ClusterSpec.forCi(List.of("a", "b", "c"))
        .withGroup("locks").allActive(io.tandem.it.flows.LockFlow.keys(5)), out);
    String text = buf.toString(StandardCharsets.UTF_8) + String.join("\n", report.lines());
    System.out.println(text);
    assertThat(report.findings()).as("lock chaos run, seed %d:%n%s", seed, text).isEmpty();
    assertThat(report.faults()).as("faults injected").isPositive();
    assertThat(report.activations()).as("lock activations seen by the witness").isPositive();
  }
}

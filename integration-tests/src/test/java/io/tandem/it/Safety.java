package io.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.check.HistoryChecker;
import io.tandem.it.check.Verdict;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.witness.WitnessCall;
import java.util.Optional;
import java.util.function.Predicate;

/** Assertions shared by the scenario tests. */
final class Safety {
  private Safety() {}

  /** The whole witness history so far has no overlap, no decreasing token, no activation out of order. */
  static void assertSafe(LocalCluster cluster) {
    Verdict v = HistoryChecker.check(cluster.witness().calls(), HistoryChecker.Mode.STRICT);
    assertThat(v.ok()).as("witness history (%s/witness.log):%n%s", cluster.workDir(), v).isTrue();
  }

  /**
   * As {@link #assertSafe}, for a run that paused a process (SIGSTOP): only accepted calls count.
   * A resumed process may run its flows for a moment before its agent's lease timer fires; its
   * calls then carry the old token and the witness refuses them, which is exactly what fencing
   * tokens are for (docs/design.md, point 5), so they are not an overlap.
   */
  static void assertSafeWithPauses(LocalCluster cluster) {
    Verdict v = HistoryChecker.check(cluster.witness().calls(), HistoryChecker.Mode.PAUSES);
    assertThat(v.ok()).as("witness history (%s/witness.log):%n%s", cluster.workDir(), v).isTrue();
  }

  /** The first call from position {@code from} on matching {@code p}, within {@code timeoutMillis}. */
  static WitnessCall awaitCall(LocalCluster cluster, int from, Predicate<WitnessCall> p, long timeoutMillis, String what)
      throws InterruptedException {
    Optional<WitnessCall> c = cluster.witness().await(from, p, timeoutMillis);
    assertThat(c).as("%s within %d ms (logs in %s)", what, timeoutMillis, cluster.workDir()).isPresent();
    return c.get();
  }

  static long millis(long nanos) {
    return nanos / 1_000_000L;
  }
}

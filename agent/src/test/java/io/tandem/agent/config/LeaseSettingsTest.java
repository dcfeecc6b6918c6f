package io.tandem.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Whether a granted lease fits the agent's own lease settings, and the arithmetic it reports. */
class LeaseSettingsTest {
  private static LeaseSettings settings(long stopBudgetMs, long renewMs, long rpcMs) {
    return new LeaseSettings(0.01, Duration.ofMillis(stopBudgetMs), Duration.ofMillis(renewMs),
        Duration.ofMillis(rpcMs));
  }

  @Test
  void theDefaultsFitTheDefaultLease() {
    LeaseSettings d = LeaseSettings.defaults();
    assertThat(d.usableMillis(2000)).isEqualTo(1680);
    assertThat(d.unusableWith(2000)).isEmpty();
    assertThat(d.minimumLeaseMillis()).isEqualTo(608); // ceil((300 + 300 + 1) / 0.99)
    assertThat(d.unusableWith(608)).isEmpty();
    assertThat(d.unusableWith(607)).isPresent();
  }

  @Test
  void aStopBudgetLongerThanTheLeaseIsRefusedWithTheArithmetic() {
    assertThat(settings(5000, 250, 300).unusableWith(2000)).hasValue(
        "the coordinators grant a lease of 2000ms: 2000ms x (1 - driftBound 0.01) - stopBudget 5s"
            + " = -3020ms in which flows may run, not more than renewInterval 250ms: the flows would"
            + " stop before the next renewal; raise lease.duration on the coordinators to at least"
            + " 5355ms, or lower the agent's stopBudget or renewInterval");
  }

  @Test
  void anRpcTimeoutLongerThanTheUsableLeaseIsRefused() {
    assertThat(settings(300, 250, 10_000).unusableWith(2000)).hasValue(
        "the coordinators grant a lease of 2000ms: 2000ms x (1 - driftBound 0.01) - stopBudget 300ms"
            + " = 1680ms in which flows may run, not more than rpcTimeout 10s: one unanswered"
            + " heartbeat would outlast the lease; raise lease.duration on the coordinators to at"
            + " least 10406ms, or lower the agent's rpcTimeout");
    assertThat(settings(300, 250, 10_000).unusableWith(10_406)).isEmpty();
  }
}

package io.tandem.agent;

import static io.tandem.agent.AgentHarness.LONG;
import static io.tandem.agent.AgentHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.LeaseSettings;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An agent whose stopBudget does not fit the lease the coordinators grant (5 s against 2 s)
 * refuses to run flows, says why with the arithmetic in /status, and its Node-RED stays stopped.
 */
class LeaseSettingsRefusedTest {
  private AgentHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void aStopBudgetLongerThanTheGrantedLeaseIsRefusedAndNoFlowsRun() throws Exception {
    h = AgentHarness.start("misfit", "a");
    LeaseSettings misfit = new LeaseSettings(0.01, Duration.ofSeconds(5), Duration.ofMillis(250),
        Duration.ofMillis(300));
    Agent a = h.startAgent("a", misfit);
    String expected = "not running flows: the coordinators grant a lease of 2000ms: 2000ms x"
        + " (1 - driftBound 0.01) - stopBudget 5s = -3020ms in which flows may run";
    await("the refusal in the agent's situation", LONG,
        () -> a.snapshot().situation().startsWith(expected));
    assertThat(a.snapshot().situation()).contains("raise lease.duration on the coordinators to at least 5355ms");
    assertThat(h.client().group("misfit").getActive()).as("the coordinators did assign it").isEqualTo("a");
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() - until < 0) {
      assertThat(a.snapshot().flowsActive()).as(AgentHarness.describe(a)).isFalse();
      AgentHarness.sleep(50);
    }
    assertThat(h.lines()).as("lines written by the flows").isEmpty();
    assertThat(h.adminClient(a).getFlowsState()).isEqualTo("stop");
    assertThat(h.ping(a)).as("http-in of stopped flows").isEqualTo(404);
  }
}

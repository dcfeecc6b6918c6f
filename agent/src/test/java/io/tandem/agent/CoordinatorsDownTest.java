package io.tandem.agent;

import static io.tandem.agent.AgentHarness.LONG;
import static io.tandem.agent.AgentHarness.await;
import static io.tandem.agent.AgentHarness.describe;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.http.AgentSnapshot;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every coordinator stops: the active agent cannot renew its lease, so it stops its flows before
 * the lease ends, and no instance runs flows until the coordinators are back.
 */
class CoordinatorsDownTest {
  private AgentHarness h;

  @BeforeEach
  void start() throws Exception {
    h = AgentHarness.start("line1", "a", "b");
    h.startAgent("a");
    h.startAgent("b");
  }

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void activeStopsBeforeItsLeaseEndsAndNobodyRunsUntilCoordinatorsReturn() throws Exception {
    Agent active = h.awaitSteady(LONG);
    Agent standby = active == h.agent("a") ? h.agent("b") : h.agent("a");
    String name = active.config().instance();
    await("the active's flows to write", LONG, () -> h.linesFrom(name) > 5);

    // stop the coordinators on another thread (it takes a while) and watch the active meanwhile
    long killedAt = System.nanoTime();
    Thread stopper = new Thread(() -> h.cluster().stopAll(), "test-stop-coordinators");
    stopper.start();
    // watch the active until its flows are stopped, remembering its last granted lease
    AgentSnapshot last = active.snapshot();
    while (AgentHarness.runtimeIs(active, "RUNNING") || active.snapshot().token() > 0) {
      AgentSnapshot s = active.snapshot();
      if (s.leaseMillis() > 0) {
        last = s;
      }
      assertThat(System.nanoTime() - killedAt).as("flows still running: " + describe(active))
          .isLessThan(Duration.ofSeconds(10).toNanos());
      Thread.sleep(1);
    }
    long stoppedAt = System.nanoTime();
    stopper.join(30_000);
    assertThat(stopper.isAlive()).as("coordinators stopped").isFalse();
    long sinceGrantMs = (stoppedAt - last.leaseSentAtNanos()) / 1_000_000;
    System.out.printf("coordinators down: %s stopped its flows %d ms after sending its last granted "
        + "heartbeat (lease %d ms, stop planned at lease*(1-0.01)-300 ms = %d ms); %d ms after "
        + "stopping the coordinators began%n", name, sinceGrantMs, last.leaseMillis(),
        (long) (last.leaseMillis() * 0.99) - 300, (stoppedAt - killedAt) / 1_000_000);
    assertThat(last.leaseMillis()).isPositive();
    assertThat(sinceGrantMs).as("stopped before the lease ended").isLessThan(last.leaseMillis());
    assertThat(active.snapshot().lastReason()).contains("lease");

    // nobody runs flows while the coordinators are away
    long lines = h.lines().size();
    for (int i = 0; i < 30; i++) {
      Thread.sleep(100);
      assertThat(AgentHarness.runtimeIs(active, "RUNNING")).isFalse();
      assertThat(AgentHarness.runtimeIs(standby, "RUNNING")).isFalse();
      assertThat(h.agentHttp(active, "/active")).isEqualTo(503);
      assertThat(h.agentHttp(standby, "/active")).isEqualTo(503);
    }
    assertThat(h.lines().size()).as("no flow wrote while the coordinators were down")
        .isEqualTo(lines);

    h.cluster().startAll();
    Agent next = h.awaitActive(LONG);
    await("flows writing again", LONG, () -> h.lines().size() > lines + 5);
    System.out.printf("coordinators back: %s is active (%s)%n", next.config().instance(),
        describe(next));
  }
}

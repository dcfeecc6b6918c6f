package io.tandem.agent.http;

import io.tandem.agent.config.HostPort;
import io.tandem.coordinator.testing.HttpLoad;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: slow and stuck clients must not take the agent's local API down. For 60 s, 200
 * connections trickle a request's headers a byte every 300 ms and never finish them, 50 more send
 * a request's first lines and then nothing (two such took the old server down), and an ab-style
 * burst runs in the middle; meanwhile a load balancer's probe (a fresh connection every 100 ms)
 * must get /active within 50 ms at p99, and the server must close every slow connection at its
 * request deadline and every stalled one at its idle timeout.
 */
class SlowClientsTest {
  @Test
  void activeAnswersWithin50MsAtP99While200SlowClientsTrickleAndABurstRuns() throws Exception {
    AgentSnapshot active = new AgentSnapshot("g", "a", "active", true, 9, "a", 9, 7,
        System.nanoTime() + Duration.ofHours(1).toNanos(), 0, 2000, "RUNNING", 42, "",
        "127.0.0.1:7400", "flows started", "active", System.currentTimeMillis());
    AgentMetrics metrics = new AgentMetrics("g", "a");
    metrics.bind(() -> active);
    try (AgentHttpServer server = AgentHttpServer.start(new HostPort("127.0.0.1", 0), () -> active,
        metrics)) {
      HttpLoad.Plan plan = new HttpLoad.Plan(server.port(), "/active", 200, Duration.ofSeconds(60),
          200, Duration.ofMillis(300), 50, Duration.ofSeconds(20), 20_000, 16,
          Duration.ofMillis(100));
      HttpLoad.Report r = HttpLoad.run(plan);
      System.out.println("agent /active under slow clients: " + r.summary());
      HttpLoad.assertServedAndClosed(plan, r);
    }
  }
}

package io.tandem.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An agent whose instance is not a member of its group (never added, or removed) is told why by
 * the coordinators: the agent logs the reason once, not per heartbeat, and shows it in /status.
 * Its first contact with the coordinators is not logged as a failure.
 */
class HeartbeatRefusalTest {
  @Test
  void aNonMemberLogsTheRefusalOnceAndShowsItInStatus() throws Exception {
    try (LogCapture log = LogCapture.start(); AgentHarness h = AgentHarness.start("line", "a", "b")) {
      Agent ghost = h.startAgent("ghost");
      AgentHarness.await("a refusal in the snapshot", AgentHarness.LONG,
          () -> !ghost.snapshot().heartbeatRefusal().isEmpty());
      assertThat(ghost.snapshot().heartbeatRefusal())
          .contains("instance \"ghost\" is not a member of group \"line\" (members: a, b)")
          .contains("tandemctl instance add line ghost");

      HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + ghost.httpPort() + "/status")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(status.body()).contains("\"heartbeatRefusal\":\"instance \\\"ghost\\\" is not a member");

      Thread.sleep(3000); // a dozen more refused heartbeats
      assertThat(log.count("heartbeats refused by the coordinators: instance \"ghost\"")).isEqualTo(1);
      assertThat(log.text()).contains("connected to coordinator");
      assertThat(log.text()).doesNotContain("heartbeat failed");
      assertThat(log.text()).doesNotContain("WARN io.tandem.agent.link");
    }
  }
}

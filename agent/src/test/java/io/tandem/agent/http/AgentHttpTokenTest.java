package io.tandem.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.common.config.HostPort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With http.token: /health and /active stay open, /status and /metrics need "Authorization: Bearer TOKEN". */
class AgentHttpTokenTest {
  private static final String TOKEN = "s3cret-token-for-the-local-api";
  private final HttpClient client = HttpClient.newHttpClient();
  private final AgentMetrics metrics = new AgentMetrics("g", "a");
  private final AgentSnapshot standby = new AgentSnapshot("g", "a", "standby", false, 0, "b", 7, 3, 0, 0, 0,
      "STANDBY", 42, "", "127.0.0.1:7400", "standby", "standby", 0);
  private AgentHttpServer server;

  @BeforeEach
  void start() throws Exception {
    metrics.bind(() -> standby);
    server = AgentHttpServer.start(new HostPort("127.0.0.1", 0), () -> standby, metrics, List.of(),
        BearerToken.of(TOKEN));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void loadBalancerChecksNeedNoToken() throws Exception {
    assertThat(get("/health", null).statusCode()).isEqualTo(200);
    assertThat(get("/active", null).statusCode()).isEqualTo(503);
    assertThat(get("/active", "Bearer wrong").statusCode()).isEqualTo(503);
  }

  @Test
  void statusAndMetricsNeedTheBearerToken() throws Exception {
    for (String path : List.of("/status", "/metrics")) {
      for (String wrong : new String[] {null, "Bearer wrong-token-0123456789", TOKEN, "Basic " + TOKEN}) {
        HttpResponse<String> r = get(path, wrong);
        assertThat(r.statusCode()).as(path + " with " + wrong).isEqualTo(401);
        assertThat(r.body()).contains(path + " needs the agent's http.token")
            .contains("Authorization: Bearer TOKEN").doesNotContain(TOKEN);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"tandem-agent\"");
      }
      assertThat(get(path, "Bearer " + TOKEN).statusCode()).isEqualTo(200);
      assertThat(get(path, "bearer " + TOKEN).statusCode()).isEqualTo(200);
    }
    assertThat(get("/status", "Bearer " + TOKEN).body()).contains("\"instance\":\"a\"");
    assertThat(get("/metrics", "Bearer " + TOKEN).body()).contains("tandem_");
  }
}

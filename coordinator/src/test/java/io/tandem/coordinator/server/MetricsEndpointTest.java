package io.tandem.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.testing.FakeAgent;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  private static HttpResponse<String> get(int port) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theLeaderExposesRaftLeaseAndFailoverMetricsInPrometheusText() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().metrics(true).start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = cluster.waitForLeader(LONG);
      client.createGroup("m", "a", "b");
      try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "m", "a").start(50)) {
        Waits.until("a running", LONG, () -> a.runningToken() > 0);
        int port = cluster.server(leader).metricsPort();
        Waits.until("lease counted", LONG, () -> get(port).body().contains("tandem_active_leases 1.0"));
        HttpResponse<String> r = get(port);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        String body = r.body();
        assertThat(body).contains("tandem_raft_role 1.0", "tandem_groups 1.0",
            "tandem_failovers_total{cause=\"no_active\"} 1.0", "tandem_decision_latency_seconds_count 1",
            "tandem_raft_term ", "tandem_raft_commit_index ", "tandem_follower_lag{peer=");
        assertThat(body).containsPattern("tandem_heartbeats_total [1-9]");
      }
      int follower = (leader + 1) % cluster.size();
      assertThat(get(cluster.server(follower).metricsPort()).body()).contains("tandem_raft_role 0.0");
    }
  }
}

package io.tandem.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.coordinator.testing.HttpLoad;
import io.tandem.coordinator.testing.MiniCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The coordinator's /metrics endpoint on a one-node cluster: methods, errors, slow clients. */
class MetricsHttpServerTest {
  private static MiniCluster cluster;
  private static int leader;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniCluster.builder().size(1).metrics(true).start();
    leader = cluster.waitForLeader(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static HttpResponse<String> send(String method, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + cluster.server(leader).metricsPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void getAndHeadAnswerOtherMethods405OtherPaths404() throws Exception {
    HttpResponse<String> get = send("GET", "/metrics");
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(get.body()).contains("tandem_raft_role 1.0");
    HttpResponse<String> head = send("HEAD", "/metrics");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    HttpResponse<String> post = send("POST", "/metrics");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    assertThat(send("GET", "/other").statusCode()).isEqualTo(404);
  }

  @Test
  void aTakenPortIsNamedInTheError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> new MetricsHttpServer(
              new InetSocketAddress("127.0.0.1", taken.getLocalPort()), cluster.server(leader).metrics()))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (metrics): ");
    }
  }

  /**
   * Issue 15: /metrics stays answerable while 200 connections trickle a request's headers and
   * never finish them, 50 send part of a request and then nothing, and an ab-style burst runs;
   * the server closes the slow ones at the request deadline and the stalled ones at the idle
   * timeout. (The agent's SlowClientsTest runs the same load for 60 s; this one is shorter.)
   */
  @Test
  void metricsAnswerWithin50MsAtP99While200SlowClientsTrickleAndABurstRuns() throws Exception {
    HttpLoad.Plan plan = new HttpLoad.Plan(cluster.server(leader).metricsPort(), "/metrics", 200,
        Duration.ofSeconds(30), 200, Duration.ofMillis(300), 50, Duration.ofSeconds(12), 3_000, 8,
        Duration.ofMillis(100));
    HttpLoad.Report r = HttpLoad.run(plan);
    System.out.println("coordinator /metrics under slow clients: " + r.summary());
    HttpLoad.assertServedAndClosed(plan, r);
  }
}

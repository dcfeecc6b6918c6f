package io.tandem.coordinator.metrics;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Whether a group has a ready standby, and for how long it has had none: on /metrics and in the
 * group view (tandemctl status), with agents heartbeating a real one-node cluster.
 */
class RedundancyStatusTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static String metrics(MiniCluster cluster, int i) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + cluster.server(i).metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double gauge(String body, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{group=\"r\"} (\\S+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  @Test
  void aGroupWithoutAReadyStandbyIsShownWithHowLong() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().size(1).metrics(true).start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = cluster.waitForLeader(WAIT);
      client.createGroup("r", "a", "b");
      // a first, and b only once a is the committed active: started together, either may win the
      // first activation, and the test closes b as the standby.
      FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "r", "a").start(100);
      FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "r", "b");
      try {
        Waits.until("a active", WAIT, () -> client.group("r").getActive().equals("a"));
        b.start(100);
        Waits.until("b a ready standby", WAIT, () -> {
          var g = client.group("r");
          return g.getActive().equals("a") && g.getStandbysReady() == 1;
        });
        Waits.until("the gauges say so", WAIT, () -> {
          try {
            String m = metrics(cluster, leader);
            return gauge(m, "tandem_group_standby_ready") == 1.0
                && gauge(m, "tandem_group_without_ready_standby_seconds") == 0.0;
          } catch (Exception e) {
            return false;
          }
        });
        assertThat(client.group("r").getWithoutReadyStandbyMillis()).isZero();

        b.close(); // its heartbeats stop: stale after standbyFreshness
        Waits.until("no ready standby for over 500 ms", WAIT,
            () -> client.group("r").getWithoutReadyStandbyMillis() > 500);
        String m = metrics(cluster, leader);
        assertThat(gauge(m, "tandem_group_standby_ready")).isEqualTo(0.0);
        assertThat(gauge(m, "tandem_group_without_ready_standby_seconds")).isGreaterThan(0.5);
        assertThat(client.group("r").getActive()).isEqualTo("a");

        b = new FakeAgent(cluster.grpcAddresses(), "r", "b").start(100);
        Waits.until("b ready again", WAIT, () -> client.group("r").getWithoutReadyStandbyMillis() == 0);
        assertThat(gauge(metrics(cluster, leader), "tandem_group_standby_ready")).isEqualTo(1.0);
      } finally {
        a.close();
        b.close();
      }
    }
  }
}

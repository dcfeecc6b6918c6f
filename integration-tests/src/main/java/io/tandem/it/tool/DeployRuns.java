package io.tandem.it.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.LocalCluster;
import io.tandem.proto.admin.GroupView;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Deploy runs on a steady cluster: a full deploy through the active's editor API (as the editor
 * sends it), then either the time until every standby has loaded the new revision, or a SIGKILL of
 * the active's Node-RED right after the deploy's answer and what the new active then serves.
 */
final class DeployRuns {
  static final int POLL_MILLIS = 5;
  private static final long TIMEOUT_MS = 30_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final LocalCluster cluster;
  private int deploys;
  private long lastAnswerMillis = -1;

  /** Outcome of one failover after a deploy: the marker deployed, what the new active answered, and when. */
  record FailoverResult(String expected, String served, long millis) {
    boolean ranNewRevision() {
      return expected.equals(served);
    }
  }

  DeployRuns(LocalCluster cluster) {
    this.cluster = cluster;
  }

  /** Deploy of a flow of at least {@code minBytes} -> every standby has loaded its revision, in ms. */
  long deployToStandbys(int minBytes) throws IOException, InterruptedException {
    AgentNode active = cluster.agent(cluster.activeInstance());
    long before = cluster.group().getCurrentRevision();
    String body = BenchFlows.body(currentFlows(active), marker(), minBytes).toString();
    long t0 = System.nanoTime();
    post(active, body);
    lastAnswerMillis = (System.nanoTime() - t0) / 1_000_000;
    long revision = awaitCommitted(before);
    while (System.nanoTime() - t0 < TIMEOUT_MS * 1_000_000) {
      Optional<GroupView> g = cluster.admin().tryGroup(cluster.groupName());
      if (g.isPresent() && g.get().getInstancesList().stream()
          .filter(i -> !i.getId().equals(g.get().getActive()))
          .allMatch(i -> i.getLoadedRevision() >= revision)) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new IllegalStateException("the standbys did not load revision " + revision + " within " + TIMEOUT_MS
        + " ms (logs in " + cluster.workDir() + ")");
  }

  /**
   * Deploys a new marker, SIGKILLs the active's Node-RED as soon as the deploy answered, and waits
   * until the other instance's route answers; millis from the kill to that answer.
   */
  FailoverResult deployThenFailover() throws IOException, InterruptedException {
    AgentNode active = cluster.agent(cluster.activeInstance());
    AgentNode next = cluster.standby().orElseThrow(() -> new IllegalStateException("no standby"));
    long pid = active.nodeRedPid(Duration.ofSeconds(5));
    ProcessHandle nodeRed = ProcessHandle.of(pid)
        .orElseThrow(() -> new IllegalStateException(active.instance() + "'s Node-RED pid " + pid + " is gone"));
    String marker = marker();
    String body = BenchFlows.body(currentFlows(active), marker, 0).toString();
    post(active, body);
    long t0 = System.nanoTime();
    nodeRed.destroyForcibly();
    URI route = URI.create(next.editorUrl() + BenchFlows.PATH);
    while (System.nanoTime() - t0 < TIMEOUT_MS * 1_000_000) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(route).timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          FailoverResult res = new FailoverResult(marker, r.body(), (System.nanoTime() - t0) / 1_000_000);
          cluster.awaitSteady(FaultRuns.STEADY);
          return res;
        }
      } catch (IOException e) {
        // not listening yet: keep polling
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new IllegalStateException(next.instance() + " did not serve /" + BenchFlows.PATH + " within " + TIMEOUT_MS
        + " ms after the kill (logs in " + cluster.workDir() + ")");
  }

  /** How long the last {@link #deployToStandbys} deploy took to answer (POST /flows -> 200), in ms. */
  long lastAnswerMillis() {
    return lastAnswerMillis;
  }

  private String marker() {
    return "bench deploy " + (++deploys) + " at " + System.nanoTime();
  }

  /** The deploy answered, so its revision is committed: the group's revision after {@code before}. */
  private long awaitCommitted(long before) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      long r = cluster.admin().tryGroup(cluster.groupName()).map(GroupView::getCurrentRevision).orElse(before);
      if (r > before) {
        return r;
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new IllegalStateException("the deploy answered but the group's revision is still " + before);
  }

  private static JsonNode currentFlows(AgentNode active) throws IOException, InterruptedException {
    return JSON.readTree(send(HttpRequest.newBuilder(URI.create(active.editorUrl() + "flows"))
        .header("Node-RED-API-Version", "v2").GET()).body());
  }

  private static void post(AgentNode active, String body) throws IOException, InterruptedException {
    send(HttpRequest.newBuilder(URI.create(active.editorUrl() + "flows"))
        .header("Content-Type", "application/json").header("Node-RED-API-Version", "v2")
        .header("Node-RED-Deployment-Type", "full").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder req) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(req.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(req.build().method() + " " + req.build().uri() + " answered " + r.statusCode() + ": "
          + (r.body().length() > 300 ? r.body().substring(0, 300) + "..." : r.body()));
    }
    return r;
  }
}

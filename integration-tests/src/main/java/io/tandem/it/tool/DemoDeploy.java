package io.tandem.it.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.LocalCluster;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.InstanceView;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/**
 * The demo's deploy: adds a GET /demo route in the active's editor API as the editor does
 * (POST /flows, v2, full), waits until the standby has loaded the committed revision, and reads
 * the route on whichever instance is active.
 */
final class DemoDeploy {
  static final String PATH = "demo";
  /** GET this on the active: the counter its flow keeps in the tandem context store. */
  static final String COUNTER_PATH = "demo-counter";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private DemoDeploy() {}

  /** Deploys the /demo route on {@code active}; returns the text it answers. */
  static String deploy(AgentNode active) throws IOException, InterruptedException {
    JsonNode current = JSON.readTree(send(HttpRequest.newBuilder(URI.create(active.editorUrl() + "flows"))
        .header("Node-RED-API-Version", "v2").GET(), 200).body());
    String answer = "hello from the flows deployed at " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS)
        + " in " + active.instance() + "'s editor";
    ArrayNode flows = ((ArrayNode) current.path("flows")).deepCopy();
    flows.addObject().put("id", "demo.tab").put("type", "tab").put("label", "demo deploy");
    flows.addObject().put("id", "demo.in").put("type", "http in").put("z", "demo.tab").put("url", "/" + PATH)
        .put("method", "get").putArray("wires").addArray().add("demo.fn");
    flows.addObject().put("id", "demo.fn").put("type", "function").put("z", "demo.tab")
        .put("func", "msg.payload = " + JSON.valueToTree(answer) + ";\nreturn msg;").put("outputs", 1)
        .putArray("wires").addArray().add("demo.out");
    flows.addObject().put("id", "demo.out").put("type", "http response").put("z", "demo.tab").putArray("wires");
    // a counter in the replicated context store (store "tandem"): +1 every 100 ms on the active,
    // read at GET /demo-counter; it survives a failover with at most one flush window lost
    ObjectNode tick = flows.addObject().put("id", "demo.tick").put("type", "inject").put("z", "demo.tab")
        .put("repeat", "0.1").put("once", true).put("onceDelay", 0.1).put("crontab", "").put("topic", "")
        .put("payload", "").put("payloadType", "date");
    tick.putArray("props").addObject().put("p", "payload");
    tick.putArray("wires").addArray().add("demo.count");
    flows.addObject().put("id", "demo.count").put("type", "function").put("z", "demo.tab")
        .put("func", "const n = (global.get(\"demoCounter\", \"tandem\") || 0) + 1;\n"
            + "global.set(\"demoCounter\", n, \"tandem\");\nreturn null;").put("outputs", 1)
        .putArray("wires").addArray();
    flows.addObject().put("id", "demo.cin").put("type", "http in").put("z", "demo.tab").put("url", "/" + COUNTER_PATH)
        .put("method", "get").putArray("wires").addArray().add("demo.cfn");
    flows.addObject().put("id", "demo.cfn").put("type", "function").put("z", "demo.tab")
        .put("func", "msg.payload = String(global.get(\"demoCounter\", \"tandem\") || 0);\nreturn msg;")
        .put("outputs", 1).putArray("wires").addArray().add("demo.out");
    ObjectNode body = JSON.createObjectNode().put("rev", current.path("rev").asText());
    body.set("flows", flows);
    send(HttpRequest.newBuilder(URI.create(active.editorUrl() + "flows"))
        .header("Content-Type", "application/json").header("Node-RED-API-Version", "v2")
        .header("Node-RED-Deployment-Type", "full").POST(HttpRequest.BodyPublishers.ofString(body.toString())), 200);
    return answer;
  }

  /** Waits until every instance reports the group's current revision; returns the group view, or null. */
  static GroupView awaitLoadedEverywhere(LocalCluster cluster, long sinceRevision, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      GroupView g = cluster.admin().tryGroup(cluster.groupName()).orElse(null);
      if (g != null && g.getCurrentRevision() > sinceRevision
          && g.getInstancesList().stream().allMatch(i -> i.getLoadedRevision() == g.getCurrentRevision())) {
        return g;
      }
      Thread.sleep(50);
    }
    return null;
  }

  static String loadedBy(GroupView g) {
    StringBuilder b = new StringBuilder();
    for (InstanceView i : g.getInstancesList()) {
      b.append(b.length() == 0 ? "" : ", ").append(i.getId()).append(" has loaded revision ")
          .append(i.getLoadedRevision()).append(i.getId().equals(g.getActive()) ? " (active)" : " (standby, flows stopped)");
    }
    return b.toString();
  }

  /** GET /demo on {@code node}: the body, or "HTTP <status>". */
  static String get(AgentNode node) throws IOException, InterruptedException {
    return get(node, PATH);
  }

  /** GET /{@code path} on {@code node}: the body, or "HTTP <status>". */
  static String get(AgentNode node, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.editorUrl() + path))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode();
  }

  private static HttpResponse<String> send(HttpRequest.Builder req, int expected) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(req.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IOException(req.build().method() + " " + req.build().uri() + " answered " + r.statusCode() + ": " + r.body());
    }
    return r;
  }
}

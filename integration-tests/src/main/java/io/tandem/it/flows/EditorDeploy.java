package io.tandem.it.flows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Deploys through a Node-RED's editor API as the editor does: GET /flows, then POST /flows with
 * Node-RED-API-Version v2 and Node-RED-Deployment-Type full. The flows get a "marker" tab whose
 * label names the deploy, so a revision can be recognised in the group's history and exports.
 */
public final class EditorDeploy {
  public static final String MARKER_TAB = "tandem.marker.tab";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private EditorDeploy() {}

  /** The editor's flows as GET /flows (v2) answers them: {rev, flows}. */
  public static JsonNode current(String editorUrl, Duration timeout) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(editorUrl + "flows"))
        .header("Node-RED-API-Version", "v2").timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + editorUrl + "flows answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /**
   * {@code current}'s flows with the marker tab (replaced if present) labelled {@code marker}, and
   * the witness call node (if present) naming {@code marker} in its calls ({@link WitnessFlow#callFunction}).
   */
  public static ArrayNode withMarker(JsonNode current, String marker) {
    ArrayNode flows = JSON.createArrayNode();
    for (JsonNode n : current.path("flows")) {
      if (MARKER_TAB.equals(n.path("id").asText())) {
        continue;
      }
      ObjectNode copy = n.deepCopy();
      if (WitnessFlow.CALL_NODE.equals(n.path("id").asText())) {
        copy.put("func", WitnessFlow.callFunction(marker));
      }
      flows.add(copy);
    }
    flows.addObject().put("id", MARKER_TAB).put("type", "tab").put("label", marker);
    return flows;
  }

  /** The marker of a flows JSON array as committed ({@link #withMarker}), or "" if it has none. */
  public static String markerOf(String flowsJson) throws IOException {
    for (JsonNode n : JSON.readTree(flowsJson)) {
      if (MARKER_TAB.equals(n.path("id").asText())) {
        return n.path("label").asText("");
      }
    }
    return "";
  }

  /** The editor's answer to a deploy. */
  public record Answer(int status, String body) {
    public boolean deployed() {
      return status == 200;
    }

    /** The "message" of an error answer ({code, message}), or the raw body. */
    public String message() {
      try {
        JsonNode n = JSON.readTree(body);
        return n.path("message").isTextual() ? n.path("message").asText() : body;
      } catch (IOException e) {
        return body;
      }
    }
  }

  /** POST /flows (v2, full) with {@code rev} (empty: no version check); IOException if Node-RED does not answer. */
  public static Answer post(String editorUrl, String rev, ArrayNode flows, Duration timeout)
      throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    if (!rev.isEmpty()) {
      body.put("rev", rev);
    }
    body.set("flows", flows);
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(editorUrl + "flows"))
        .header("Content-Type", "application/json").header("Node-RED-API-Version", "v2")
        .header("Node-RED-Deployment-Type", "full").timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  /** GET /flows, add the marker, POST: one deploy of changed flows. */
  public static Answer deployMarker(String editorUrl, String marker, Duration timeout)
      throws IOException, InterruptedException {
    JsonNode cur = current(editorUrl, timeout);
    return post(editorUrl, cur.path("rev").asText(""), withMarker(cur, marker), timeout);
  }
}

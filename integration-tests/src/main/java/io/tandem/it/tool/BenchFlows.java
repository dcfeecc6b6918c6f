package io.tandem.it.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * The benchmark's deploy body (POST /flows, v2): the instance's current flows plus a "bench" tab
 * whose GET route answers a marker, optionally padded with a comment node so that the body is at
 * least a given size. A previous bench tab is replaced, the other flows (the witness) are kept.
 */
final class BenchFlows {
  static final String PATH = "bench-deploy";
  static final String ID_PREFIX = "bench.";
  private static final ObjectMapper JSON = new ObjectMapper();

  private BenchFlows() {}

  /**
   * The body for a full deploy over {@code current} (the GET /flows v2 answer: {rev, flows}).
   *
   * @param marker   what GET /{@value #PATH} answers under the new flows
   * @param minBytes the body's least size in UTF-8 bytes (0: no padding)
   */
  static ObjectNode body(JsonNode current, String marker, int minBytes) {
    ArrayNode flows = JSON.createArrayNode();
    for (JsonNode n : current.path("flows")) {
      if (!n.path("id").asText("").startsWith(ID_PREFIX)) {
        flows.add(n.deepCopy());
      }
    }
    flows.addObject().put("id", ID_PREFIX + "tab").put("type", "tab").put("label", "bench deploy");
    flows.addObject().put("id", ID_PREFIX + "in").put("type", "http in").put("z", ID_PREFIX + "tab")
        .put("url", "/" + PATH).put("method", "get").putArray("wires").addArray().add(ID_PREFIX + "fn");
    flows.addObject().put("id", ID_PREFIX + "fn").put("type", "function").put("z", ID_PREFIX + "tab")
        .put("func", "msg.payload = " + JSON.valueToTree(marker) + ";\nreturn msg;").put("outputs", 1)
        .putArray("wires").addArray().add(ID_PREFIX + "out");
    flows.addObject().put("id", ID_PREFIX + "out").put("type", "http response").put("z", ID_PREFIX + "tab")
        .putArray("wires");
    ObjectNode body = JSON.createObjectNode().put("rev", current.path("rev").asText(""));
    body.set("flows", flows);
    int missing = minBytes - size(body);
    if (missing > 0) {
      // a comment node carrying the padding: inert, but stored, replicated and loaded like any node
      String overhead = "{\"id\":\"bench.pad\",\"type\":\"comment\",\"z\":\"bench.tab\",\"name\":\"padding\",\"info\":\"\",\"wires\":[]},";
      int pad = Math.max(0, missing - overhead.length());
      flows.addObject().put("id", ID_PREFIX + "pad").put("type", "comment").put("z", ID_PREFIX + "tab")
          .put("name", "padding").put("info", "x".repeat(pad)).putArray("wires");
    }
    return body;
  }

  /** The body's size as sent (UTF-8 bytes of its compact JSON). */
  static int size(JsonNode body) {
    return body.toString().getBytes(StandardCharsets.UTF_8).length;
  }
}

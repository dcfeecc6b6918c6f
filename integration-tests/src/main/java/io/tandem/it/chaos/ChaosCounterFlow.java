package io.tandem.it.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The chaos run's context counter: every {@value #PERIOD_MILLIS} ms a function node on the active
 * reads {@code global.}{@value #KEY} from store {@code tandem} (absent: 0) and sets it to that plus
 * one. A plain get-then-set, never a delete: the committed value can only grow if a new active
 * always starts on the committed context and a stale active never commits.
 */
final class ChaosCounterFlow {
  static final String KEY = "chaos_counter";
  static final String SCOPE = "global";
  static final int PERIOD_MILLIS = 20;
  static final String TAB = "chaos.counter.tab";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChaosCounterFlow() {}

  /** {@code current} (GET /flows v2) with the counter tab added (replaced if present). */
  static ArrayNode addTo(JsonNode current) {
    ArrayNode flows = JSON.createArrayNode();
    for (JsonNode n : current.path("flows")) {
      if (!TAB.equals(n.path("id").asText()) && !TAB.equals(n.path("z").asText())) {
        flows.add(n.deepCopy());
      }
    }
    flows.addObject().put("id", TAB).put("type", "tab").put("label", "Chaos context counter").put("disabled", false);
    ObjectNode tick = flows.addObject().put("id", "chaos.counter.tick").put("type", "inject").put("z", TAB)
        .put("name", "every " + PERIOD_MILLIS + " ms").put("repeat", String.valueOf(PERIOD_MILLIS / 1000.0))
        .put("crontab", "").put("once", true).put("onceDelay", 0.05).put("topic", "")
        .put("payload", "").put("payloadType", "date").put("x", 100).put("y", 80);
    tick.putArray("props").addObject().put("p", "payload");
    tick.putArray("wires").addArray().add("chaos.counter.count");
    ObjectNode count = flows.addObject().put("id", "chaos.counter.count").put("type", "function").put("z", TAB)
        .put("name", "count in the tandem store")
        .put("func", String.join("\n",
            "const n = global.get(\"" + KEY + "\", \"tandem\");",
            "global.set(\"" + KEY + "\", (typeof n === \"number\" ? n : 0) + 1, \"tandem\");",
            "return null;"))
        .put("outputs", 1).put("timeout", 0).put("noerr", 0).put("initialize", "").put("finalize", "")
        .put("x", 300).put("y", 80);
    count.putArray("libs");
    count.putArray("wires").addArray();
    return flows;
  }
}

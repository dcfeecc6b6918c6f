package io.tandem.it.flows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A tab that publishes "INSTANCE SEQ" to {@value #TOPIC} every {@value #PERIOD_MILLIS} ms through
 * Node-RED's own {@code mqtt out} node and {@code mqtt-broker} config node (MQTT 3.1.1, QoS 0, clean
 * session, a random client id): the client connects when the flows start and disconnects when they
 * stop, as a user's MQTT flow does. The instance name is the runtime's env {@value WitnessFlow#ENV_INSTANCE}.
 */
public final class MqttFlow {
  public static final String TOPIC = "tandem/bench/seq";
  public static final int PERIOD_MILLIS = 10;
  static final String PREFIX = "tandem.mqtt.";
  private static final ObjectMapper JSON = new ObjectMapper();

  private MqttFlow() {}

  /** {@code current}'s flows (a GET /flows v2 answer) with this tab added (a previous one replaced). */
  public static ArrayNode addedTo(JsonNode current, int brokerPort) {
    ArrayNode flows = JSON.createArrayNode();
    for (JsonNode n : current.path("flows")) {
      if (!n.path("id").asText("").startsWith(PREFIX)) {
        flows.add(n.deepCopy());
      }
    }
    String tab = PREFIX + "tab";
    flows.addObject().put("id", tab).put("type", "tab").put("label", "Tandem MQTT bench").put("disabled", false);
    flows.addObject().put("id", PREFIX + "broker").put("type", "mqtt-broker").put("name", "bench broker")
        .put("broker", "127.0.0.1").put("port", String.valueOf(brokerPort)).put("clientid", "")
        .put("autoConnect", true).put("usetls", false).put("protocolVersion", "4").put("keepalive", "60")
        .put("cleansession", true).put("autoUnsubscribe", true)
        .put("birthTopic", "").put("closeTopic", "").put("willTopic", "");
    ObjectNode tick = node(flows, tab, PREFIX + "tick", "inject", PREFIX + "seq")
        .put("repeat", String.valueOf(PERIOD_MILLIS / 1000.0)).put("crontab", "").put("once", true)
        .put("onceDelay", 0.01).put("topic", "").put("payload", "").put("payloadType", "date");
    tick.putArray("props").addObject().put("p", "payload");
    node(flows, tab, PREFIX + "seq", "function", PREFIX + "out")
        .put("func", String.join("\n",
            "const seq = (context.get(\"seq\") || 0) + 1;", // the default store: memory, local to this runtime
            "context.set(\"seq\", seq);",
            "msg.payload = env.get(\"" + WitnessFlow.ENV_INSTANCE + "\") + \" \" + seq;",
            "return msg;"))
        .put("outputs", 1).put("timeout", 0).put("noerr", 0).put("initialize", "").put("finalize", "").putArray("libs");
    node(flows, tab, PREFIX + "out", "mqtt out", null).put("topic", TOPIC).put("qos", "0").put("retain", "false")
        .put("broker", PREFIX + "broker");
    return flows;
  }

  private static ObjectNode node(ArrayNode flows, String tab, String id, String type, String wireTo) {
    ObjectNode n = flows.addObject().put("id", id).put("type", type).put("z", tab).put("name", id.substring(PREFIX.length()))
        .put("x", 200).put("y", 80);
    ArrayNode out = n.putArray("wires").addArray();
    if (wireTo != null) {
      out.add(wireTo);
    }
    return n;
  }
}

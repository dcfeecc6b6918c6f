package io.tandem.it.flows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The flows of an all-active group's instances: per lock key, an inject every {@value #PERIOD_MILLIS}
 * ms feeds a {@code tandem leader} node (node-red-contrib-tandem) for that key, whose output 1 (this
 * instance holds the lock) builds {@code GET <witness>?instance=<env>&key=<key>&token=<msg.tandem.token>}
 * and an http request node sends it. The http-in route {@link WitnessFlow#HANG_PATH} blocks the
 * event loop with {@code while(true){}} on the one instance it is called on (the hang fault).
 */
public final class LockFlow {
  public static final int PERIOD_MILLIS = 50;
  private static final ObjectMapper JSON = new ObjectMapper();

  private LockFlow() {}

  /** k1..kN */
  public static List<String> keys(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add("k" + i);
    }
    return List.copyOf(out);
  }

  static String callFunction() {
    return String.join("\n",
        "const t = msg.tandem || {};",
        "msg.url = env.get(\"" + WitnessFlow.ENV_URL + "\") + \"?instance=\" + encodeURIComponent(env.get(\""
            + WitnessFlow.ENV_INSTANCE + "\"))",
        "    + \"&key=\" + encodeURIComponent(t.lock || \"\") + \"&token=\" + (t.token || 0);",
        "msg.method = \"GET\";",
        "return msg;");
  }

  /** The flows JSON (an array of nodes) for {@code keys}, with its tab enabled. */
  public static String json(List<String> keys) {
    return json(keys, false);
  }

  /** The flows JSON for {@code keys}; a disabled tab starts no node (no lock is wanted). */
  public static String json(List<String> keys, boolean disabled) {
    ArrayNode flows = JSON.createArrayNode();
    flows.addObject().put("id", "locks.tab").put("type", "tab").put("label", "Tandem locks")
        .put("disabled", disabled).put("info", "Per lock: a tandem leader node calling the witness every "
            + PERIOD_MILLIS + " ms while this instance holds the lock");
    int y = 60;
    for (String key : keys) {
      String id = "locks." + key.replaceAll("[^A-Za-z0-9]", "_");
      node(flows, id + ".tick", "inject", "every " + PERIOD_MILLIS + " ms", 100, y, id + ".leader")
          .put("repeat", String.valueOf(PERIOD_MILLIS / 1000.0)).put("crontab", "").put("once", true)
          .put("onceDelay", 0.1).put("topic", "").put("payload", "").put("payloadType", "date")
          .putArray("props").addObject().put("p", "payload");
      ObjectNode leader = node(flows, id + ".leader", "tandem leader", "", 280, y, id + ".call").put("lock", key);
      leader.withArray("wires").addArray(); // output 2 (follower): nothing
      node(flows, id + ".call", "function", "witness URL with " + key + "'s token", 480, y, id + ".http")
          .put("func", callFunction()).put("outputs", 1).put("timeout", 0).put("noerr", 0)
          .put("initialize", "").put("finalize", "").putArray("libs");
      node(flows, id + ".http", "http request", "call witness", 680, y, null)
          .put("method", "use").put("ret", "txt").put("paytoqs", "ignore").put("url", "")
          .put("tls", "").put("persist", false).put("proxy", "").put("insecureHTTPParser", false)
          .put("authType", "").put("senderr", false).putArray("headers");
      y += 60;
    }
    node(flows, "locks.hang.in", "http in", WitnessFlow.HANG_PATH, 100, y, "locks.hang.loop")
        .put("url", WitnessFlow.HANG_PATH).put("method", "get").put("upload", false).put("swaggerDoc", "");
    node(flows, "locks.hang.loop", "function", "block the event loop", 300, y, null)
        .put("func", "while (true) {}\nreturn msg;").put("outputs", 1).put("timeout", 0)
        .put("noerr", 0).put("initialize", "").put("finalize", "").putArray("libs");
    return flows.toString();
  }

  /**
   * Writes the flows as userDir/flows.json (and the shared credentialSecret), like {@link WitnessFlow#writeTo};
   * {@code disabled}: with the tab disabled (enabled later by a deploy).
   */
  public static void writeTo(Path userDir, List<String> keys, boolean disabled) {
    WitnessFlow.writeTo(userDir, false); // settings.js with the group's credentialSecret
    try {
      Files.writeString(userDir.resolve("flows.json"), json(keys, disabled));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write flows into " + userDir, e);
    }
  }

  private static ObjectNode node(ArrayNode flows, String id, String type, String name, int x, int y, String wireTo) {
    ObjectNode n = flows.addObject().put("id", id).put("type", type).put("z", "locks.tab").put("name", name)
        .put("x", x).put("y", y);
    ArrayNode out = n.putArray("wires").addArray();
    if (wireTo != null) {
      out.add(wireTo);
    }
    return n;
  }
}

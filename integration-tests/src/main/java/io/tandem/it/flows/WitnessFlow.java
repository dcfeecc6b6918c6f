package io.tandem.it.flows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The flow every test runtime runs: an inject node firing every 20 ms feeds a function node that
 * builds {@code GET <witness>?instance=<env WITNESS_INSTANCE>&token=<global.get("tandem").token>},
 * and an http request node sends it. Optionally an http-in route {@value #HANG_PATH} runs
 * {@code while(true){}}: a GET to it on the active runtime blocks its event loop (the hang fault).
 * Same flow for every instance; the instance name and witness URL come from the environment
 * ({@value #ENV_URL}, {@value #ENV_INSTANCE}) that the agent passes to Node-RED.
 */
public final class WitnessFlow {
  public static final String ENV_URL = "WITNESS_URL";
  public static final String ENV_INSTANCE = "WITNESS_INSTANCE";
  public static final String HANG_PATH = "/tandem-test/hang";
  /** With the hang route: an http-in route answering GET with the instance name (the ingress benchmark's target). */
  public static final String HTTP_PATH = "/tandem-test/http";
  public static final int PERIOD_MILLIS = 20;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The witness query parameter naming the flows a runtime runs (set by deploys, see {@link #callFunction}). */
  public static final String FLOWS_PARAM = "flows";
  /** The id of the function node that builds the witness call. */
  public static final String CALL_NODE = "tandem.call";
  private static final String CALL = callFunction("");

  private WitnessFlow() {}

  /**
   * The function node's code; a non-empty {@code marker} ([A-Za-z0-9._-]) is added to every call as
   * {@code &flows=<marker>}, so the witness learns which deployed flows an activation runs.
   */
  public static String callFunction(String marker) {
    if (!marker.matches("[A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("a flows marker is [A-Za-z0-9._-]*, not \"" + marker + "\"");
    }
    return String.join("\n",
        "const t = global.get(\"tandem\");",
        "const token = t && t.token ? t.token : 0;",
        "msg.url = env.get(\"" + ENV_URL + "\") + \"?instance=\" + encodeURIComponent(env.get(\"" + ENV_INSTANCE + "\"))",
        "    + \"&token=\" + token" + (marker.isEmpty() ? "" : " + \"&" + FLOWS_PARAM + "=" + marker + "\"") + ";",
        "msg.method = \"GET\";",
        "return msg;");
  }

  /** The flows JSON (an array of nodes), with or without the hang route. */
  public static String json(boolean withHangRoute) {
    ArrayNode flows = JSON.createArrayNode();
    flows.addObject().put("id", "tandem.tab").put("type", "tab").put("label", "Tandem witness")
        .put("disabled", false).put("info", "Calls the fencing witness every " + PERIOD_MILLIS + " ms");
    node(flows, "tandem.tick", "inject", "every " + PERIOD_MILLIS + " ms", 100, "tandem.call")
        .put("repeat", String.valueOf(PERIOD_MILLIS / 1000.0)).put("crontab", "").put("once", true)
        .put("onceDelay", 0.02).put("topic", "").put("payload", "").put("payloadType", "date")
        .putArray("props").addObject().put("p", "payload");
    node(flows, CALL_NODE, "function", "witness URL with token", 300, "tandem.http")
        .put("func", CALL).put("outputs", 1).put("timeout", 0).put("noerr", 0)
        .put("initialize", "").put("finalize", "").putArray("libs");
    node(flows, "tandem.http", "http request", "call witness", 500, null)
        .put("method", "use").put("ret", "txt").put("paytoqs", "ignore").put("url", "")
        .put("tls", "").put("persist", false).put("proxy", "").put("insecureHTTPParser", false)
        .put("authType", "").put("senderr", false).putArray("headers");
    if (withHangRoute) {
      node(flows, "tandem.hang.in", "http in", HANG_PATH, 100, "tandem.hang.loop")
          .put("url", HANG_PATH).put("method", "get").put("upload", false).put("swaggerDoc", "");
      node(flows, "tandem.hang.loop", "function", "block the event loop", 300, null)
          .put("func", "while (true) {}\nreturn msg;").put("outputs", 1).put("timeout", 0)
          .put("noerr", 0).put("initialize", "").put("finalize", "").putArray("libs");
      node(flows, "tandem.http.in", "http in", HTTP_PATH, 100, "tandem.http.name")
          .put("url", HTTP_PATH).put("method", "get").put("upload", false).put("swaggerDoc", "");
      node(flows, "tandem.http.name", "function", "answer the instance name", 300, "tandem.http.out")
          .put("func", "msg.payload = env.get(\"" + ENV_INSTANCE + "\");\nreturn msg;").put("outputs", 1)
          .put("timeout", 0).put("noerr", 0).put("initialize", "").put("finalize", "").putArray("libs");
      node(flows, "tandem.http.out", "http response", "200", 500, null).put("statusCode", "200").putObject("headers");
    }
    return flows.toString();
  }

  /** Writes the flow as userDir/flows.json, so that the runtime loads it (stopped) at launch. */
  public static void writeTo(Path userDir, boolean withHangRoute) {
    try {
      Files.createDirectories(userDir);
      Files.writeString(userDir.resolve("flows.json"), json(withHangRoute));
      // every instance of a group shares one credentialSecret (docs/agent.md), or its standbys are not ready
      Path settings = userDir.resolve("settings.js");
      if (!Files.exists(settings)) {
        Files.writeString(settings, "module.exports = { credentialSecret: \"tandem-it-credential-secret\" };\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write flows into " + userDir, e);
    }
  }

  private static ObjectNode node(ArrayNode flows, String id, String type, String name, int x, String wireTo) {
    ObjectNode n = flows.addObject().put("id", id).put("type", type).put("z", "tandem.tab").put("name", name)
        .put("x", x).put("y", id.startsWith("tandem.hang") ? 160 : id.startsWith("tandem.http.") ? 240 : 80);
    ArrayNode out = n.putArray("wires").addArray();
    if (wireTo != null) {
      out.add(wireTo);
    }
    return n;
  }
}

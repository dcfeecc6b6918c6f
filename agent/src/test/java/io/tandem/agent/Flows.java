package io.tandem.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/** Node-RED flows used by the end-to-end tests. */
final class Flows {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Flows() {}

  /**
   * Every 50 ms appends "INSTANCE TOKEN" (the fencing token flows see) to {@code file};
   * GET /ping answers 200.
   */
  static String appender(String instance, Path file) {
    return base(instance, file).toString();
  }

  /**
   * The appender flows plus a function node that blocks the event loop shortly after the deploy, on
   * {@code instance} only: the deploy replicates to every instance of the group, the hang stays a
   * fault of that one host.
   */
  static String appenderThenHang(String instance, Path file) {
    ArrayNode flows = base(instance, file);
    flows.addObject().put("id", "hang-inject").put("type", "inject").put("z", "tab")
        .put("once", true).put("onceDelay", "0.3").put("repeat", "")
        .put("payloadType", "date").putArray("wires").addArray().add("hang-fn");
    flows.addObject().put("id", "hang-fn").put("type", "function").put("z", "tab")
        .put("func", "if (env.get('TANDEM_INSTANCE') === '" + instance + "') { while (true) {} }\nreturn msg;").put("outputs", 1).putArray("wires");
    return flows.toString();
  }

  /**
   * GET /version answers {@code body}; GET /call calls {@code secretUrl} with basic auth
   * (user "tandem", password {@code password}, kept in the node's credentials) and answers what it got.
   * The nodes carry their credentials as the editor sends them in a deploy.
   */
  static String versioned(String body, String secretUrl, String password) {
    ArrayNode flows = JSON.createArrayNode();
    flows.addObject().put("id", "vtab").put("type", "tab").put("label", "versioned");
    flows.addObject().put("id", "vin").put("type", "http in").put("z", "vtab").put("url", "/version")
        .put("method", "get").putArray("wires").addArray().add("vfn");
    flows.addObject().put("id", "vfn").put("type", "function").put("z", "vtab")
        .put("func", "msg.payload = " + JSON.valueToTree(body) + ";\nreturn msg;").put("outputs", 1)
        .putArray("wires").addArray().add("vout");
    flows.addObject().put("id", "vout").put("type", "http response").put("z", "vtab").put("statusCode", "")
        .putArray("wires");
    flows.addObject().put("id", "cin").put("type", "http in").put("z", "vtab").put("url", "/call")
        .put("method", "get").putArray("wires").addArray().add("creq");
    ObjectNode req = flows.addObject().put("id", "creq").put("type", "http request").put("z", "vtab")
        .put("method", "GET").put("ret", "txt").put("paytoqs", "ignore").put("url", secretUrl)
        .put("authType", "basic").put("senderr", false).put("persist", false);
    req.putArray("headers");
    req.putObject("credentials").put("user", "tandem").put("password", password);
    req.putArray("wires").addArray().add("cout");
    flows.addObject().put("id", "cout").put("type", "http response").put("z", "vtab").put("statusCode", "")
        .putArray("wires");
    return flows.toString();
  }

  private static ArrayNode base(String instance, Path file) {
    ArrayNode flows = JSON.createArrayNode();
    flows.addObject().put("id", "tab").put("type", "tab").put("label", "tandem test");
    ObjectNode inject = flows.addObject().put("id", "tick").put("type", "inject").put("z", "tab")
        .put("repeat", "0.05").put("once", true).put("onceDelay", "0.01").put("payloadType", "date");
    inject.putArray("wires").addArray().add("stamp");
    ObjectNode fn = flows.addObject().put("id", "stamp").put("type", "function").put("z", "tab")
        .put("func", "const t = global.get('tandem');\nmsg.payload = (env.get('TANDEM_INSTANCE') || '" + instance
            + "') + ' ' + (t ? t.token : -1);\nreturn msg;")
        .put("outputs", 1);
    fn.putArray("wires").addArray().add("append");
    ObjectNode out = flows.addObject().put("id", "append").put("type", "file").put("z", "tab")
        .put("filename", file.toString()).put("filenameType", "str").put("appendNewline", true)
        .put("createDir", false).put("overwriteFile", "false").put("encoding", "none");
    out.putArray("wires");
    ObjectNode in = flows.addObject().put("id", "ping").put("type", "http in").put("z", "tab")
        .put("url", "/ping").put("method", "get");
    in.putArray("wires").addArray().add("pong");
    flows.addObject().put("id", "pong").put("type", "http response").put("z", "tab")
        .put("statusCode", "200").putArray("wires");
    return flows;
  }
}

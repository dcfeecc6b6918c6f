package io.tandem.it.flows;

import com.fasterxml.jackson.databind.JsonNode;
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
 * A counter in the Tandem context store: every {@value #PERIOD_MILLIS} ms a function node reads
 * {@code global.counter} from store {@code tandem}, sets it to {instance, n: n+1}, optionally sets
 * one key {@code w_INSTANCE_N} per write (the committed context then keeps the history of who
 * wrote what), and, in the same synchronous step, appends n to {@code <dir>/counter-INSTANCE.log}
 * (the witness of what each runtime reached). A set that the store refuses (a standby) throws, so
 * nothing is appended for it.
 *
 * <p>The function needs {@code fs} in its global context: {@link #writeSettings} writes a
 * settings.js with {@code functionGlobalContext: {fs: require("fs")}} (in the default store).
 */
public final class ContextCounterFlow {
  public static final int PERIOD_MILLIS = 10;
  public static final String TAB = "ctx.counter.tab";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ContextCounterFlow() {}

  /** A settings.js for a userDir (shared credentialSecret, fs for the counter), if none exists. */
  public static void writeSettings(Path userDir) {
    try {
      Files.createDirectories(userDir);
      Files.writeString(userDir.resolve("settings.js"), "module.exports = {\n"
          + "  credentialSecret: \"tandem-it-credential-secret\",\n"
          + "  functionGlobalContext: { fs: require(\"fs\") },\n"
          + "};\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String function(Path dir, boolean historyKeys) {
    String d = dir.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"");
    return String.join("\n",
        "const inst = env.get(\"" + WitnessFlow.ENV_INSTANCE + "\");",
        "const cur = global.get(\"counter\", \"tandem\");",
        "const n = (cur && typeof cur.n === \"number\" ? cur.n : 0) + 1;",
        "global.set(\"counter\", { instance: inst, n: n }, \"tandem\");",
        historyKeys ? "global.set(\"w_\" + inst + \"_\" + n, 1, \"tandem\");" : "",
        "global.get(\"fs\").appendFileSync(\"" + d + "/counter-\" + inst + \".log\", n + \"\\n\");",
        "return null;");
  }

  /** {@code current} (GET /flows v2) with the counter tab added (replaced if present). */
  public static ArrayNode addTo(JsonNode current, Path dir, boolean historyKeys) {
    ArrayNode flows = JSON.createArrayNode();
    for (JsonNode n : current.path("flows")) {
      if (!TAB.equals(n.path("id").asText()) && !TAB.equals(n.path("z").asText())) {
        flows.add(n.deepCopy());
      }
    }
    flows.addObject().put("id", TAB).put("type", "tab").put("label", "Context counter").put("disabled", false);
    ObjectNode tick = flows.addObject().put("id", "ctx.tick").put("type", "inject").put("z", TAB)
        .put("name", "every " + PERIOD_MILLIS + " ms").put("repeat", String.valueOf(PERIOD_MILLIS / 1000.0))
        .put("crontab", "").put("once", true).put("onceDelay", 0.05).put("topic", "")
        .put("payload", "").put("payloadType", "date").put("x", 100).put("y", 240);
    tick.putArray("props").addObject().put("p", "payload");
    tick.putArray("wires").addArray().add("ctx.count");
    ObjectNode count = flows.addObject().put("id", "ctx.count").put("type", "function").put("z", TAB)
        .put("name", "count in tandem store").put("func", function(dir, historyKeys)).put("outputs", 1)
        .put("timeout", 0).put("noerr", 0).put("initialize", "").put("finalize", "").put("x", 300).put("y", 240);
    count.putArray("libs");
    count.putArray("wires").addArray();
    return flows;
  }

  /** The values in {@code <dir>/counter-INSTANCE.log}, in the order written (empty if none yet). */
  public static List<Long> values(Path dir, String instance) {
    Path f = dir.resolve("counter-" + instance + ".log");
    List<Long> out = new ArrayList<>();
    try {
      if (!Files.exists(f)) {
        return out;
      }
      for (String line : Files.readAllLines(f)) {
        if (!line.isBlank()) {
          out.add(Long.parseLong(line.trim()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // a line being written: the caller reads again
    }
    return out;
  }
}

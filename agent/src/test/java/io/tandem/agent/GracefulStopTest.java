package io.tandem.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A graceful agent stop loses nothing: after the flows stopped and the token was handed back,
 * Node-RED is stopped with SIGTERM and closes its context stores, so a localfilesystem store
 * flushes the writes it still held in memory (with SIGKILL they were lost).
 */
class GracefulStopTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every 50 ms: ticks = ticks + 1 in the global context, and the new value appended to {@code file}. */
  private static String counterFlows(Path file) {
    return """
        [
          {"id":"tab","type":"tab","label":"counter"},
          {"id":"tick","type":"inject","z":"tab","once":true,"onceDelay":0.05,"repeat":"0.05","payloadType":"date",
           "wires":[["count"]]},
          {"id":"count","type":"function","z":"tab","outputs":1,"wires":[["append-ticks"]],
           "func":"const n = (global.get('ticks') || 0) + 1;\\nglobal.set('ticks', n);\\nmsg.payload = String(n);\\nreturn msg;"},
          {"id":"append-ticks","type":"file","z":"tab","filename":"%s","filenameType":"str","appendNewline":true,
           "createDir":false,"overwriteFile":"false","encoding":"none","wires":[]}
        ]
        """.formatted(file);
  }

  /** A context store that writes to disk only every hour, or when Node-RED closes it. */
  private static final String SETTINGS = """
      module.exports = {
        flowFile: "flows.json",
        contextStorage: { default: { module: "localfilesystem", config: { flushInterval: 3600 } } }
      };
      """;

  @Test
  void theContextFileHoldsTheLastValueAfterAnAgentStop() throws Exception {
    try (AgentHarness h = AgentHarness.start("ctx", "solo")) {
      Path ticks = h.outFile().resolveSibling("ticks.txt");
      Agent agent = h.startAgent("solo", counterFlows(ticks), SETTINGS);
      h.awaitActive(AgentHarness.LONG);
      AgentHarness.await("20 ticks", AgentHarness.LONG, () -> lines(ticks).size() >= 20);

      agent.close();

      List<String> written = lines(ticks);
      long last = Long.parseLong(written.get(written.size() - 1).trim());
      Path contextFile = h.userDir("solo").resolve("context").resolve("global").resolve("global.json");
      assertThat(contextFile).as("the context store was flushed on the way out").exists();
      JsonNode context = JSON.readTree(contextFile.toFile());
      // the function sets the context before the file node appends, so the store may be one ahead
      assertThat(context.path("ticks").asLong()).as(context.toString()).isBetween(last, last + 1);
      assertThat(agent.runtime().status().detail()).contains("stopped by the agent with SIGTERM");
    }
  }

  private static List<String> lines(Path f) {
    try {
      return Files.exists(f) ? Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList() : List.of();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }
}

package io.tandem.it.harness;

import io.tandem.it.flows.WitnessFlow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Node-RED without Tandem, as users run it today (flows start at boot), running the witness flow:
 * the baseline of the benchmark (a supervisor restarts it after a crash).
 */
public final class PlainNodeRed implements AutoCloseable {
  private final ManagedProcess process;
  private final int port;

  public PlainNodeRed(Path dir, String instance, String witnessUrl, boolean hangRoute) {
    this.port = Ports.free();
    Path userDir = dir.resolve("userdir");
    try {
      Files.createDirectories(userDir);
      Files.writeString(userDir.resolve("settings.js"), String.join("\n",
          "module.exports = {",
          "  uiHost: \"127.0.0.1\",",
          "  uiPort: " + port + ",",
          "  flowFile: \"flows.json\",",
          "  logging: { console: { level: \"warn\" } },",
          "};", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    WitnessFlow.writeTo(userDir, hangRoute);
    List<String> cmd = List.of("node", Repo.redJs().toString(), "--settings",
        userDir.resolve("settings.js").toString(), "--userDir", userDir.toString());
    this.process = new ManagedProcess("node-red-" + instance, cmd,
        Map.of(WitnessFlow.ENV_URL, witnessUrl, WitnessFlow.ENV_INSTANCE, instance), dir, dir.resolve("node-red.log"));
  }

  public void start() {
    process.start();
  }

  public void kill() {
    process.kill();
  }

  public ManagedProcess process() {
    return process;
  }

  public int port() {
    return port;
  }

  public String editorUrl() {
    return "http://127.0.0.1:" + port + "/";
  }

  @Override
  public void close() {
    process.kill();
  }
}

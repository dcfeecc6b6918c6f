package io.tandem.agent.nodered;

import static io.tandem.agent.nodered.NodeRedFixture.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.LogCapture;
import io.tandem.proto.agent.RuntimeState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A crashed or hung Node-RED is noticed and comes back as a spare with its flows stopped. */
class NodeRedFailureTest {
  private static final Duration CALL = Duration.ofSeconds(10);
  @TempDir Path dir;
  private NodeRedRuntime runtime;

  @AfterEach
  void cleanUp() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void crashedRuntimeIsSeenDownAndRestartsAsASpare() throws Exception {
    int port = NodeRedFixture.freePort();
    Path userDir = dir.resolve("userdir");
    Files.createDirectories(userDir);
    Files.writeString(userDir.resolve("flows.json"), NodeRedFixture.PING_AND_TOKEN_FLOWS);
    runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(userDir, port, dir.resolve("agent.token")));
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
    runtime.start();
    RuntimeStatus first = NodeRedFixture.awaitStandby(runtime, rec);
    runtime.startFlows(CALL);
    assertThat(get(port, "/ping").statusCode()).isEqualTo(200);

    long t0 = System.nanoTime();
    ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // a crash the agent did not cause
    RuntimeStatus down = rec.await(RuntimeState.RUNTIME_DOWN, Duration.ofSeconds(10));
    long downMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(down.detail()).contains("code 137");
    RuntimeStatus again = NodeRedFixture.awaitStandby(runtime, rec);
    System.out.printf("SIGKILL -> DOWN: %d ms, -> STANDBY again: %d ms%n", downMs, (System.nanoTime() - t0) / 1_000_000);
    assertThat(again.generation()).isEqualTo(first.generation() + 1);
    assertThat(again.pid()).isNotEqualTo(first.pid());
    // it ran flows before the crash, yet comes back with them stopped
    assertThat(NodeRedFixture.admin(port, dir.resolve("agent.token")).getFlowsState()).isEqualTo("stop");
    assertThat(get(port, "/ping").statusCode()).isEqualTo(404);
  }

  @Test
  void hungRuntimeIsDetectedAndAfterAKillComesBackAsASpare() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("agent.token");
    runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(dir.resolve("userdir"), port, tokenFile));
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
    runtime.start();
    RuntimeStatus first = NodeRedFixture.awaitStandby(runtime, rec);
    NodeRedFixture.admin(port, tokenFile).deployFlows(NodeRedFixture.HANG_FLOWS);
    runtime.startFlows(CALL); // the inject fires 0.1 s later into while (true) {}

    long t0 = System.nanoTime();
    RuntimeStatus hung = rec.await(RuntimeState.RUNTIME_HUNG, Duration.ofSeconds(20));
    System.out.printf("start of a hanging flow -> HUNG: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(hung.pid()).isEqualTo(first.pid());
    assertThat(hung.detail()).contains("no answer to 3 probes");
    assertThat(ProcessHandle.of(first.pid())).as("the probe never kills by itself").isPresent();

    long k0 = System.nanoTime();
    assertThat(runtime.kill("hung in a test")).isTrue();
    long killMs = (System.nanoTime() - k0) / 1_000_000;
    assertThat(ProcessHandle.of(first.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    RuntimeStatus down = rec.await(RuntimeState.RUNTIME_DOWN, Duration.ofSeconds(10));
    assertThat(down.detail()).contains("killed by the agent: hung in a test");
    RuntimeStatus again = NodeRedFixture.awaitStandby(runtime, rec);
    System.out.printf("kill() returned in %d ms, -> STANDBY again: %d ms%n", killMs, (System.nanoTime() - k0) / 1_000_000);
    assertThat(again.generation()).isEqualTo(first.generation() + 1);
    assertThat(runtime.status().state()).isEqualTo(RuntimeState.RUNTIME_STANDBY);
  }

  @Test
  void aRuntimeThatExitsAtBootHasItsLastOutputInTheAgentsLog() throws Exception {
    int port = NodeRedFixture.freePort();
    Path userDir = dir.resolve("userdir");
    Files.createDirectories(userDir);
    Files.writeString(userDir.resolve("settings.js"),
        "throw new Error(\"broken-settings-marker: this settings.js cannot load\");\n");
    try (LogCapture log = LogCapture.start()) {
      runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(userDir, port, dir.resolve("agent.token")));
      NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
      runtime.start();
      RuntimeStatus down = rec.await(RuntimeState.RUNTIME_DOWN, NodeRedFixture.BOOT);
      assertThat(down.detail()).contains("last output: Error: broken-settings-marker");
      RuntimeStatus again = rec.await(RuntimeState.RUNTIME_DOWN, NodeRedFixture.BOOT); // restarted, failed again
      assertThat(again.generation()).isGreaterThan(down.generation());
      runtime.close();
      assertThat(log.text()).contains("    | Error: broken-settings-marker: this settings.js cannot load");
      // a crash loop at boot repeats one line, not the whole output
      assertThat(log.count("exited at boot; its last")).isEqualTo(1);
      assertThat(log.text()).contains("exited at boot again with the same output (last line: Error: broken-settings-marker");
    }
  }
}

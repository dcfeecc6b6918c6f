package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.proto.agent.RuntimeState;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attach mode probes and drives a runtime it did not start, but cannot kill it. */
class AttachedRuntimeTest {
  @TempDir Path dir;
  private NodeRedRuntime launched;
  private NodeRedRuntime attached;

  @AfterEach
  void cleanUp() {
    if (attached != null) {
      attached.close();
    }
    if (launched != null) {
      launched.close();
    }
  }

  @Test
  void probesAndDrivesButCannotKill() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("agent.token");
    launched = NodeRedRuntimes.create(NodeRedFixture.launchSettings(dir.resolve("userdir"), port, tokenFile));
    NodeRedFixture.Recorder launchedRec = new NodeRedFixture.Recorder(launched);
    launched.start();
    RuntimeStatus owner = NodeRedFixture.awaitStandby(launched, launchedRec);

    attached = NodeRedRuntimes.create(NodeRedSettings.attach(URI.create("http://127.0.0.1:" + port), tokenFile));
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(attached);
    attached.start();
    RuntimeStatus standby = rec.await(RuntimeState.RUNTIME_STANDBY, Duration.ofSeconds(20));
    assertThat(standby.pid()).isEqualTo(-1);
    assertThat(attached.canKill()).isFalse();
    assertThat(attached.kill("test")).isFalse();
    assertThat(ProcessHandle.of(owner.pid()).map(ProcessHandle::isAlive).orElse(false)).isTrue();

    attached.startFlows(Duration.ofSeconds(10));
    assertThat(attached.status().state()).isEqualTo(RuntimeState.RUNTIME_RUNNING);
    // the launching side notices the change through its own probe
    launchedRec.await(RuntimeState.RUNTIME_RUNNING, Duration.ofSeconds(10));

    launched.kill("gone");
    RuntimeStatus down = rec.await(RuntimeState.RUNTIME_DOWN, Duration.ofSeconds(10));
    assertThat(down.detail()).contains("not reachable");
    RuntimeStatus back = rec.await(RuntimeState.RUNTIME_STANDBY, Duration.ofSeconds(60));
    assertThat(back.generation()).isGreaterThan(standby.generation());
  }
}

package io.tandem.agent.nodered;

import static io.tandem.agent.nodered.NodeRedFixture.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.proto.agent.RuntimeState;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Node-RED launched by the agent: boots stopped, starts and stops flows, holds the fencing token. */
class NodeRedLaunchTest {
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
  void bootsAsASpareAndRunsFlowsOnlyWhenStarted() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("agent.token");
    Path userDir = dir.resolve("userdir");
    Files.createDirectories(userDir);
    // the user's runtime config says "start": the agent must still boot it stopped
    Files.writeString(userDir.resolve(".config.runtime.json"), "{\"instanceId\":\"keep\",\"runtimeFlowState\":\"start\"}");
    Files.writeString(userDir.resolve("flows.json"), NodeRedFixture.PING_AND_TOKEN_FLOWS);
    runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(userDir, port, tokenFile));
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
    long t0 = System.nanoTime();
    runtime.start();
    RuntimeStatus standby = NodeRedFixture.awaitStandby(runtime, rec);
    System.out.printf("launch -> STANDBY: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(standby.generation()).isEqualTo(1);
    assertThat(runtime.canKill()).isTrue();
    // setpriv execs node: the pid the agent holds (and kills) is Node-RED's own
    assertThat(ProcessHandle.of(standby.pid()).orElseThrow().info().command().orElse("")).endsWith("node");

    NodeRedAdminClient admin = NodeRedFixture.admin(port, tokenFile);
    assertThat(admin.getFlowsState()).isEqualTo("stop");
    java.net.http.HttpResponse<String> booted = get(port, "/ping");
    assertThat(booted.statusCode()).as("a route of flows that booted stopped: %s", booted.body()).isEqualTo(404);
    assertThat(booted.body()).as("answered by Tandem, with the reason").contains("stopped by Tandem");

    long s0 = System.nanoTime();
    runtime.startFlows(CALL);
    System.out.printf("startFlows: %.1f ms%n", (System.nanoTime() - s0) / 1e6);
    assertThat(runtime.status().state()).isEqualTo(RuntimeState.RUNTIME_RUNNING);
    assertThat(get(port, "/ping").body()).isEqualTo("pong");
    assertThat(get(port, "/ping").statusCode()).isEqualTo(200);

    long p0 = System.nanoTime();
    runtime.stopFlows(CALL);
    System.out.printf("stopFlows: %.1f ms%n", (System.nanoTime() - p0) / 1e6);
    assertThat(runtime.status().state()).isEqualTo(RuntimeState.RUNTIME_STANDBY);
    java.net.http.HttpResponse<String> stopped = get(port, "/ping");
    assertThat(stopped.statusCode()).isEqualTo(404);
    assertThat(stopped.body()).as("answered by Tandem: %s", stopped.body()).contains("stopped by Tandem");

    // the probe keeps seeing the stopped state (no flicker back to RUNNING)
    Thread.sleep(500);
    assertThat(runtime.status().state()).isEqualTo(RuntimeState.RUNTIME_STANDBY);
    assertThat(Files.readString(userDir.resolve(".config.runtime.json"))).contains("\"keep\"");
  }

  @Test
  void fencingTokenOnlyGrowsAndFlowsSeeIt() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("agent.token");
    Path userDir = dir.resolve("userdir");
    Files.createDirectories(userDir);
    // the user's own editor login stays; the agent's token is accepted next to it
    Files.writeString(userDir.resolve("settings.js"), "module.exports = { flowFile: 'my-flows.json', adminAuth: "
        + "{ type: 'credentials', users: [{ username: 'ops', password: 'x', permissions: '*' }] } };");
    runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(userDir, port, tokenFile));
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
    runtime.start();
    NodeRedFixture.awaitStandby(runtime, rec);
    NodeRedAdminClient admin = NodeRedFixture.admin(port, tokenFile);
    admin.deployFlows(NodeRedFixture.PING_AND_TOKEN_FLOWS);
    assertThat(admin.getFlowsState()).as("a deploy while stopped stays stopped").isEqualTo("stop");

    runtime.setToken(5, CALL);
    RuntimeControlException stale = org.junit.jupiter.api.Assertions.assertThrows(
        RuntimeControlException.class, () -> runtime.setToken(3, CALL));
    assertThat(stale.httpStatus()).isEqualTo(409);
    assertThat(stale.isStaleToken()).isTrue();
    assertThat(stale.getMessage()).contains("lower than the current token 5");
    runtime.setToken(5, CALL); // the same token again is fine
    assertThat(admin.getToken()).isEqualTo(5);

    runtime.startFlows(CALL);
    assertThat(get(port, "/token").body()).isEqualTo("5");
    runtime.setToken(9, CALL);
    assertThat(get(port, "/token").body()).as("flows read the token live").isEqualTo("9");

    // without the agent's token the admin API refuses (adminAuth is on: 401), with a wrong one too; the
    // fence route is agent-only, so tandem-guard.js refuses it (403) before Node-RED's own login check
    NodeRedAdminClient stranger = new NodeRedAdminClient(URI.create("http://127.0.0.1:" + port + "/"),
        "not-the-agent-token-0123456789");
    assertThatThrownBy(() -> stranger.setToken(100)).isInstanceOfSatisfying(RuntimeControlException.class,
        e -> assertThat(e.httpStatus()).isEqualTo(403));
    assertThatThrownBy(() -> stranger.getToken()).isInstanceOfSatisfying(RuntimeControlException.class,
        e -> assertThat(e.httpStatus()).isEqualTo(401));
    assertThat(admin.getToken()).isEqualTo(9);
    assertThat(userDir.resolve("my-flows.json")).as("the user's flowFile setting is kept").exists();
    assertThatThrownBy(() -> admin.setToken(-1)).isInstanceOfSatisfying(RuntimeControlException.class,
        e -> assertThat(e.httpStatus()).isEqualTo(400));
  }
}

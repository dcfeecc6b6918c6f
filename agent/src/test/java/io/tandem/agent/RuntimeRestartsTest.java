package io.tandem.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.http.AgentSnapshot;
import io.tandem.agent.nodered.NodeRedAdminClient;
import io.tandem.agent.nodered.NodeRedInstalls;
import io.tandem.agent.nodered.NodeRedRuntime;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.RestartRequest;
import io.tandem.proto.agent.RuntimeState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's side of a restart request: refusals, once per id, done only when the new runtime is ready. */
class RuntimeRestartsTest {
  @TempDir Path dir;

  /** A launched runtime that records restarts; the test sets its status. */
  static final class FakeRuntime implements NodeRedRuntime {
    volatile RuntimeStatus status = new RuntimeStatus(RuntimeState.RUNTIME_STANDBY, 100, 1, "");
    final List<List<String>> restarts = new ArrayList<>();
    List<String> command;

    FakeRuntime(List<String> command) {
      this.command = command;
    }

    @Override public String restart(List<String> c, String reason) {
      restarts.add(c == null ? command : c);
      if (c != null) {
        command = c;
      }
      status = new RuntimeStatus(RuntimeState.RUNTIME_DOWN, 100, status.generation(), reason);
      return "";
    }
    @Override public List<String> command() { return command; }
    @Override public void start() {}
    @Override public RuntimeStatus status() { return status; }
    @Override public void addListener(Consumer<RuntimeStatus> listener) {}
    @Override public void setToken(long token, Duration timeout) {}
    @Override public void startFlows(Duration timeout) {}
    @Override public void stopFlows(Duration timeout) {}
    @Override public boolean kill(String reason) { return true; }
    @Override public void reloadFlows(Duration timeout) {}
    @Override public NodeRedAdminClient adminClient() { return null; }
    @Override public boolean canKill() { return true; }
    @Override public void close() {}
  }

  private Path install(String version) throws IOException {
    Path pkg = dir.resolve(version).resolve("node_modules/node-red");
    Files.createDirectories(pkg);
    Files.writeString(pkg.resolve("package.json"), "{\"version\":\"" + version + "\"}");
    Files.writeString(pkg.resolve("red.js"), "");
    return dir.resolve(version);
  }

  private static AgentSnapshot snapshot(long token, String committedActive) {
    return new AgentSnapshot("g", "b", token > 0 ? "active" : "standby", token > 0, token, committedActive, 7, 0,
        0, 0, 0, "STANDBY", 100, "", "", "", "", 0);
  }

  private static RestartRequest req(String id, String version) {
    return RestartRequest.newBuilder().setId(id).setNodeRedVersion(version).build();
  }

  private static HeartbeatRequest fill(RuntimeRestarts r, FakeRuntime rt) {
    HeartbeatRequest.Builder b = HeartbeatRequest.newBuilder();
    r.fill(b, rt.status());
    return b.build();
  }

  @Test
  void restartsOncePerIdAndReportsDoneWhenTheNewGenerationIsAStandby() throws IOException {
    Path old = install("4.1.7");
    Path next = install("4.1.8");
    FakeRuntime rt = new FakeRuntime(List.of("/usr/bin/node", old.resolve("node_modules/node-red/red.js").toString()));
    RuntimeRestarts r = new RuntimeRestarts(rt, new NodeRedInstalls(Map.of(), List.of(old, next)));
    assertThat(fill(r, rt).getNodeRedVersion()).isEqualTo("4.1.7");

    r.onRequest(req("r1", "4.1.8"), snapshot(0, "a"));
    r.onRequest(req("r1", "4.1.8"), snapshot(0, "a")); // relayed again: no second restart
    assertThat(rt.restarts).containsExactly(List.of("/usr/bin/node",
        next.resolve("node_modules/node-red/red.js").toString()));
    assertThat(fill(r, rt).getRestartId()).as("down: not done").isEmpty();
    rt.status = new RuntimeStatus(RuntimeState.RUNTIME_STARTING, 200, 2, "");
    assertThat(fill(r, rt).getRestartId()).as("starting: not done").isEmpty();
    rt.status = new RuntimeStatus(RuntimeState.RUNTIME_STANDBY, 200, 2, "");
    HeartbeatRequest done = fill(r, rt);
    assertThat(done.getRestartId()).isEqualTo("r1");
    assertThat(done.getRestartRefusal()).isEmpty();
    assertThat(done.getNodeRedVersion()).isEqualTo("4.1.8");
    assertThat(done.getRuntimePid()).isEqualTo(200);
    r.onRequest(req("r1", "4.1.8"), snapshot(0, "a"));
    assertThat(rt.restarts).hasSize(1);
  }

  @Test
  void refusesAnUnknownVersionAndTheActiveWithoutTouchingTheRuntime() throws IOException {
    Path old = install("4.1.7");
    FakeRuntime rt = new FakeRuntime(List.of("node", old.resolve("node_modules/node-red/red.js").toString()));
    RuntimeRestarts r = new RuntimeRestarts(rt, new NodeRedInstalls(Map.of(), List.of(old)));
    r.onRequest(req("r1", "9.9.9"), snapshot(0, "a"));
    assertThat(fill(r, rt).getRestartId()).isEqualTo("r1");
    assertThat(fill(r, rt).getRestartRefusal()).contains("has no Node-RED 9.9.9 install").contains("has: 4.1.7");
    r.onRequest(req("r2", ""), snapshot(7, "b"));
    assertThat(fill(r, rt).getRestartRefusal()).contains("runs the group's flows");
    r.onRequest(req("r3", ""), snapshot(0, "b"));
    assertThat(fill(r, rt).getRestartRefusal()).contains("committed active");
    assertThat(rt.restarts).isEmpty();
    RuntimeRestarts none = new RuntimeRestarts(rt, NodeRedInstalls.NONE);
    none.onRequest(req("r4", "4.1.8"), snapshot(0, "a"));
    assertThat(fill(none, rt).getRestartRefusal()).contains("nodeRed.installs is not configured");
  }
}

package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.agent.WriteContextRequest;
import io.tandem.proto.state.Activate;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** tandemctl context against a real in-process three-node cluster, with context written by real WriteContext calls. */
class TandemCtlContextTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static MiniCluster cluster;
  private static TestClient client;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MiniCluster.builder().longLeases().start();
    cluster.waitForLeader(LONG);
    client = new TestClient(cluster.grpcAddresses());
    client.createGroup("line1", "a", "b");
    client.createGroup("empty", "a");
    CommandResult active = cluster.leader().raft().submit(Command.newBuilder().setActivate(
        Activate.newBuilder().setGroup("line1").setInstance("a").setReason("test")).build()).get(30, TimeUnit.SECONDS);
    assertThat(active.getOutcome()).isEqualTo(Outcome.OK);
    client.agent(s -> s.writeContext(WriteContextRequest.newBuilder().setGroup("line1").setInstance("a")
        .setToken(active.getToken())
        .addOps(set("global", "count", "42"))
        .addOps(set("global", "big", "\"" + "x".repeat(3000) + "\""))
        .addOps(set("flow:f1", "last", "{\"t\":1}"))
        .addOps(set("node:n1:f1", "seen", "true"))
        .build()));
    cluster.awaitCaughtUp(LONG);
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ContextOp set(String scope, String key, String json) {
    return ContextOp.newBuilder().setKind(ContextOp.Kind.SET).setScope(scope).setKey(key)
        .setValue(ByteString.copyFromUtf8(json)).build();
  }

  private static CtlRun ctl(String... args) {
    List<String> all = new ArrayList<>(List.of("--timeout", "10s"));
    all.addAll(List.of(args));
    return CtlRun.at(cluster.grpcAddresses(), all.toArray(String[]::new));
  }

  @Test
  void listsKeysSortedWithSizesAndASummary() {
    CtlRun run = ctl("context", "line1");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    long version = cluster.leader().raft().stateMachine().state().getGroupsOrThrow("line1").getContextVersion();
    assertThat(run.outLines()).containsExactly(
        "SCOPE       KEY    SIZE",
        "flow:f1     last   11 bytes",
        "global      big    2.9 KB",
        "global      count  7 bytes",
        "node:n1:f1  seen   8 bytes",
        "context version " + version + ": 3 KB of 32 MB (context.maxGroupBytes) used");
  }

  @Test
  void scopeFilterAndJson() {
    CtlRun run = ctl("context", "line1", "--scope", "global", "--json");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode j = run.json();
    assertThat(j.get("group").asText()).isEqualTo("line1");
    assertThat(j.get("scope").asText()).isEqualTo("global");
    assertThat(j.get("totalBytes").asLong()).isEqualTo(11 + 3005 + 7 + 8);
    assertThat(j.get("maxGroupBytes").asLong()).isEqualTo(32L * 1024 * 1024);
    assertThat(j.get("version").asLong()).isPositive();
    assertThat(j.get("keys")).hasSize(2);
    assertThat(j.get("keys").get(0).get("key").asText()).isEqualTo("big");
    assertThat(j.get("keys").get(0).get("sizeBytes").asLong()).isEqualTo(3005);
    assertThat(j.get("keys").get(1).get("scope").asText()).isEqualTo("global");

    CtlRun table = ctl("context", "line1", "--scope", "node:n1:f1");
    assertThat(table.outLines()).contains("1 key, 8 bytes in scope node:n1:f1");
  }

  @Test
  void emptyUnknownAndBadScope() {
    CtlRun empty = ctl("context", "empty");
    assertThat(empty.exitCode()).isZero();
    assertThat(empty.outLines()).containsExactly("group empty has no context yet",
        "context version 0: 0 bytes of 32 MB (context.maxGroupBytes) used");

    CtlRun unknown = ctl("context", "nope");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("tandemctl: group \"nope\" does not exist (not found)" + System.lineSeparator());

    CtlRun bad = ctl("context", "line1", "--scope", "flows:x");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--scope: scope \"flows:x\" is not global, flow:ID or node:ID");
  }
}

package io.tandem.agent;

import static io.tandem.agent.AgentHarness.LONG;
import static io.tandem.agent.AgentHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.grpc.StatusRuntimeException;
import io.tandem.proto.admin.ImportFlowsRequest;
import io.tandem.proto.admin.RollbackFlowsRequest;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deploy in the active's editor is committed through the coordinators' Raft log and reaches the
 * standby before it may take over (issue 9): real Node-RED with the Tandem storage plugin, real
 * coordinators, deploys as the editor sends them.
 */
class FlowsReplicationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "s3cret-for-the-test";
  private AgentHarness h;
  private HttpServer secret;
  private String secretUrl;

  /**
   * The no-majority deploy must fail while the active keeps its lease: its attempt (2 s) and the
   * digest lookup (0.4 s) outlast the default 2 s lease, which would stop the flows in the middle
   * of the deploy (and kill Node-RED when a loaded machine answers the stop late, cutting the
   * editor's request). A 6 s lease keeps that test about the deploy.
   */
  private static final io.tandem.coordinator.config.LeaseSettings DEPLOY_OUTLASTING_LEASE =
      new io.tandem.coordinator.config.LeaseSettings(java.time.Duration.ofSeconds(6), java.time.Duration.ofMillis(250),
          java.time.Duration.ofSeconds(1), java.time.Duration.ofMillis(20));

  @BeforeEach
  void start(org.junit.jupiter.api.TestInfo test) throws Exception {
    // a downstream system that wants basic auth: the flows reach it with credentials from the deploy
    secret = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    String expected = "Basic " + Base64.getEncoder().encodeToString(("tandem:" + PASSWORD)
        .getBytes(StandardCharsets.UTF_8));
    secret.createContext("/secret", ex -> {
      boolean ok = expected.equals(ex.getRequestHeaders().getFirst("Authorization"));
      byte[] body = (ok ? "authorized" : "refused").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(ok ? 200 : 401, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    secret.start();
    secretUrl = "http://127.0.0.1:" + secret.getAddress().getPort() + "/secret";
    boolean noMajority = test.getTestMethod().map(m -> m.getName().startsWith("aDeployWithoutACoordinatorMajority"))
        .orElse(false);
    h = AgentHarness.start(noMajority ? DEPLOY_OUTLASTING_LEASE : null, "line1", "a", "b");
    h.startAgent("a");
    h.startAgent("b");
  }

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    if (secret != null) {
      secret.stop(0);
    }
  }

  private long committedRevision() {
    return h.leaderView().getCurrentRevision();
  }

  private Agent other(Agent a) {
    return a == h.agent("a") ? h.agent("b") : h.agent("a");
  }

  /** Waits until the group has a revision (the first import) and every instance has loaded it. */
  private Agent steadyOnCurrentRevision() {
    Agent active = h.awaitSteady(LONG);
    await("the first import and the standby on it", LONG, () -> committedRevision() > 0
        && other(active).snapshot() != null && h.readyOnCoordinators(other(active).config().instance()));
    return h.awaitSteady(LONG);
  }

  private static String deployedBody(HttpResponse<String> r) {
    return r.statusCode() + " " + r.body();
  }

  @Test
  void aDeployReachesTheStandbyAndRunsAfterTheActiveIsKilledWithItsCredentials() throws Exception {
    Agent active = steadyOnCurrentRevision();
    Agent standby = other(active);
    long before = committedRevision();

    HttpResponse<String> r = h.editorDeploy(active, Flows.versioned("v2", secretUrl, PASSWORD), null);
    assertThat(r.statusCode()).as(deployedBody(r)).isEqualTo(200);
    await("the active answers the new flow", LONG, () -> body(active, "version").equals("v2"));
    assertThat(body(active, "call")).isEqualTo("authorized");
    long deployed = committedRevision();
    assertThat(deployed).isGreaterThan(before);

    await("the standby has loaded the new revision and is ready", LONG,
        () -> h.readyOnCoordinators(standby.config().instance()));
    assertThat(h.ping(standby)).as("the standby's flows stay stopped").isEqualTo(404);
    assertThat(versionIn(standby)).as("the standby's runtime has the new flows").isEqualTo("v2");

    ProcessHandle.of(active.snapshot().pid()).orElseThrow().destroyForcibly();
    await("the standby takes over", LONG, () -> standby.snapshot().activeNow(System.nanoTime()));
    await("the new active answers the new flow", LONG, () -> body(standby, "version").equals("v2"));
    assertThat(body(standby, "call")).as("credentials decrypted on the new active").isEqualTo("authorized");
    assertThat(committedRevision()).isEqualTo(deployed);
  }

  @Test
  void aDeployThroughTheStandbysEditorIsRefusedReadablyAndNothingChanges() throws Exception {
    Agent active = steadyOnCurrentRevision();
    Agent standby = other(active);
    long before = committedRevision();

    HttpResponse<String> r = h.editorDeploy(standby, Flows.versioned("from-standby", secretUrl, PASSWORD), null);
    assertThat(r.statusCode()).as(deployedBody(r)).isEqualTo(409);
    assertThat(JSON.readTree(r.body()).path("message").asText())
        .contains("standby").contains("the active is " + active.config().instance());
    assertThat(committedRevision()).isEqualTo(before);
    assertThat(versionIn(standby)).isNotEqualTo("from-standby");
    assertThat(versionIn(active)).isNotEqualTo("from-standby");
  }

  @Test
  void aDeployWithoutACoordinatorMajorityFailsVisiblyAndTheRuntimeKeepsItsFlows() throws Exception {
    Agent active = steadyOnCurrentRevision();
    String flowsBefore = JSON.readTree(h.editorFlows(active).body()).path("flows").toString();
    int leader = h.cluster().leaderIndex();
    for (int i = 0; i < h.cluster().size(); i++) {
      if (i != leader) {
        h.cluster().stop(i);
      }
    }
    HttpResponse<String> r = h.editorDeploy(active, Flows.versioned("lost", secretUrl, PASSWORD), null);
    assertThat(r.statusCode()).as(deployedBody(r)).isEqualTo(503);
    // The lone leader has the entry in its log and may commit it once a follower is back (Raft): the
    // editor is told that the outcome is unknown, never "nothing changed"; the runtime keeps its flows.
    assertThat(JSON.readTree(r.body()).path("code").asText()).as(deployedBody(r)).isEqualTo("outcome_unknown");
    assertThat(JSON.readTree(r.body()).path("message").asText()).contains("did not answer within")
        .contains("may or may not have been committed").contains("reload the editor");
    assertThat(JSON.readTree(h.editorFlows(active).body()).path("flows").toString()).isEqualTo(flowsBefore);
  }

  @Test
  void twoConcurrentDeploysOneWinsTheOtherGetsAConflict() throws Exception {
    Agent active = steadyOnCurrentRevision();
    Agent standby = other(active);
    String rev = JSON.readTree(h.editorFlows(active).body()).path("rev").asText();
    long before = committedRevision();
    CompletableFuture<HttpResponse<String>> one = CompletableFuture.supplyAsync(() -> deploy(active, "one", rev));
    CompletableFuture<HttpResponse<String>> two = CompletableFuture.supplyAsync(() -> deploy(active, "two", rev));
    List<HttpResponse<String>> replies = List.of(one.join(), two.join());
    assertThat(replies).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(200, 409);
    HttpResponse<String> winner = replies.stream().filter(x -> x.statusCode() == 200).findFirst().orElseThrow();
    String won = winner == replies.get(0) ? "one" : "two";
    assertThat(committedRevision()).as("exactly one revision committed").isGreaterThan(before);
    await("the winner on the active", LONG, () -> body(active, "version").equals(won));
    await("the standby on the winner", LONG, () -> h.readyOnCoordinators(standby.config().instance()));
    assertThat(versionIn(standby)).isEqualTo(won);
  }

  /**
   * The coordinators' compare-and-set on the revision: an import (tandemctl flows import) and an
   * editor deploy both on top of the same revision; exactly one is committed, the other is
   * refused with a conflict, and the instances run the one that won.
   */
  @Test
  void anImportAndAnEditorDeployOnTheSameRevisionOneIsCommittedTheOtherConflicts() throws Exception {
    Agent active = steadyOnCurrentRevision();
    Agent standby = other(active);
    long before = committedRevision();
    String imported = Flows.versioned("imported", secretUrl, PASSWORD);
    // one request id for every attempt: a retry after an answer lost to a deadline (a loaded
    // machine) gets the first attempt's outcome instead of being a second import (JDK 25 run at
    // load 7: the first attempt committed revision 7, and the retries ended on a follower's
    // UNAVAILABLE, so the test saw neither side win)
    ImportFlowsRequest importRequest = ImportFlowsRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
        .setGroup("line1").setExpectedRevision(before).setDeployedBy("test import")
        .setFlows(ByteString.copyFromUtf8(imported)).build();
    CompletableFuture<String> viaImport = CompletableFuture.supplyAsync(() -> {
      try {
        h.client().admin(s -> s.importFlows(importRequest));
        return "ok";
      } catch (StatusRuntimeException e) {
        return e.getStatus().getCode() + " " + e.getStatus().getDescription();
      }
    });
    CompletableFuture<HttpResponse<String>> viaEditor = CompletableFuture.supplyAsync(() -> deploy(active, "edited", null));
    String importResult = viaImport.join();
    HttpResponse<String> editorResult = viaEditor.join();
    boolean importWon = importResult.equals("ok");
    boolean editorWon = editorResult.statusCode() == 200;
    assertThat(importWon ^ editorWon).as("import: " + importResult + "; editor: " + deployedBody(editorResult)).isTrue();
    if (importWon) {
      assertThat(editorResult.statusCode()).isEqualTo(409);
      assertThat(JSON.readTree(editorResult.body()).path("message").asText()).contains("revision conflict");
    } else {
      assertThat(importResult).startsWith("ABORTED").contains("revision conflict");
    }
    String won = importWon ? "imported" : "edited";
    assertThat(committedRevision()).isGreaterThan(before);
    await("the active runs what won", LONG, () -> body(active, "version").equals(won));
    await("the standby on it", LONG, () -> h.readyOnCoordinators(standby.config().instance()));
    assertThat(versionIn(standby)).isEqualTo(won);
  }

  /**
   * The storage plugin names the revision its runtime runs (baseRevision); the agent keeps its own
   * record, and each can lag (an import makes the runtime's own flows a revision without a reload;
   * the agent misses a load the plugin served from the local copy). The deploy goes on top of the
   * later one: CI saw "on top of revision 0" from a ready instance that ran revision 3.
   */
  @Test
  void aDeployGoesOnTopOfTheLaterOfThePluginsAndTheAgentsRevision() throws Exception {
    Agent active = steadyOnCurrentRevision();
    long current = committedRevision();
    String flows = JSON.readTree(Flows.versioned("direct", secretUrl, PASSWORD)).toString();
    HttpResponse<String> ahead = storageDeploy(active, "{\"flows\":" + flows + ",\"baseRevision\":" + (current + 7) + "}");
    assertThat(ahead.statusCode()).as(deployedBody(ahead)).isEqualTo(409);
    assertThat(JSON.readTree(ahead.body()).path("message").asText())
        .contains("on top of revision " + (current + 7)).contains("current revision is " + current);
    HttpResponse<String> bad = storageDeploy(active, "{\"flows\":" + flows + ",\"baseRevision\":\"three\"}");
    assertThat(bad.statusCode()).as(deployedBody(bad)).isEqualTo(400);
    assertThat(bad.body()).contains("baseRevision must be a revision number");
    assertThat(committedRevision()).as("nothing committed by the refused deploys").isEqualTo(current);
    HttpResponse<String> behind = storageDeploy(active, "{\"flows\":" + flows + ",\"baseRevision\":0}");
    assertThat(behind.statusCode()).as("the agent's record (%d) is later: %s", current, deployedBody(behind))
        .isEqualTo(200);
    assertThat(JSON.readTree(behind.body()).path("revision").asLong()).isGreaterThan(current)
        .isEqualTo(committedRevision());
  }

  /** POST /tandem/storage/deploy on the agent, as the storage plugin sends it. */
  private HttpResponse<String> storageDeploy(Agent a, String body) throws Exception {
    String token = java.nio.file.Files.readString(a.config().nodeRed().tokenFile()).trim();
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + a.httpPort() + "/tandem/storage/deploy"))
        .timeout(java.time.Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .header("x-tandem-token", token).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRollbackIsCommittedAsANewRevisionAndLoadedByTheActiveAndTheStandby() throws Exception {
    Agent active = steadyOnCurrentRevision();
    Agent standby = other(active);
    assertThat(h.editorDeploy(active, Flows.versioned("r1", secretUrl, PASSWORD), null).statusCode()).isEqualTo(200);
    long r1 = committedRevision();
    assertThat(h.editorDeploy(active, Flows.versioned("r2", secretUrl, PASSWORD), null).statusCode()).isEqualTo(200);
    await("the active on r2", LONG, () -> body(active, "version").equals("r2"));
    RollbackFlowsRequest rollback = RollbackFlowsRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
        .setGroup("line1").setToRevision(r1).build(); // one id for every attempt (see the import test)
    h.client().admin(s -> s.rollbackFlows(rollback));
    assertThat(committedRevision()).isGreaterThan(r1);
    await("the running active loads the rollback", LONG, () -> body(active, "version").equals("r1"));
    await("the standby on the rollback", LONG, () -> h.readyOnCoordinators(standby.config().instance()));
    assertThat(versionIn(standby)).isEqualTo("r1");
    assertThat(body(active, "call")).as("credentials of r1 back in use").isEqualTo("authorized");
  }

  @Test
  void aStandbyDownDuringThreeDeploysBootsOnTheLatestAndBecomesReady() throws Exception {
    Agent active = steadyOnCurrentRevision();
    String down = other(active).config().instance();
    h.stopAgent(down);
    for (String v : List.of("d1", "d2", "d3")) {
      HttpResponse<String> r = h.editorDeploy(active, Flows.versioned(v, secretUrl, PASSWORD), null);
      assertThat(r.statusCode()).as(deployedBody(r)).isEqualTo(200);
    }
    long latest = committedRevision();
    Agent back = h.startAgent(down);
    await(down + " ready again", LONG, () -> h.readyOnCoordinators(down));
    assertThat(versionIn(back)).isEqualTo("d3");
    assertThat(committedRevision()).isEqualTo(latest);
  }

  /** The body GET /version answers in the flows the runtime has loaded (running or not), "" if none. */
  private String versionIn(Agent a) throws Exception {
    JsonNode flows = JSON.readTree(h.editorFlows(a).body()).path("flows");
    for (JsonNode n : flows) {
      if ("vfn".equals(n.path("id").asText())) {
        String func = n.path("func").asText();
        return func.substring(func.indexOf('"') + 1, func.lastIndexOf('"'));
      }
    }
    return "";
  }

  private HttpResponse<String> deploy(Agent a, String version, String rev) {
    try {
      return h.editorDeploy(a, Flows.versioned(version, secretUrl, PASSWORD), rev);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String body(Agent a, String path) {
    try {
      HttpResponse<String> r = h.nodeRedGet(a, path);
      return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode();
    } catch (Exception e) {
      return e.toString();
    }
  }
}

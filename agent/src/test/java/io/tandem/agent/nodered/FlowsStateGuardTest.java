package io.tandem.agent.nodered;

import static io.tandem.agent.nodered.NodeRedFixture.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.proto.agent.RuntimeState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only the agent starts or stops a runtime's flows: POST /flows/state without the agent's token is
 * refused before Node-RED acts on it (even from a user with every permission), the standby's flows
 * never run, and the agent's own calls still work. In launch mode and in attach mode with the
 * documented settings.js (tandem-attach.js).
 */
class FlowsStateGuardTest {
  private static final Duration CALL = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private static final String USER_TOKEN = "user-token-with-every-permission";

  @TempDir Path dir;
  private final List<NodeRedRuntime> runtimes = new ArrayList<>();
  private Process plainNodeRed;

  @AfterEach
  void cleanUp() throws Exception {
    runtimes.forEach(NodeRedRuntime::close);
    if (plainNodeRed != null) {
      ProcessTree.killForcibly(plainNodeRed);
      plainNodeRed.waitFor();
    }
  }

  /** http-in GET /ping answers "pong"; an inject fires once 100 ms after the start into a file. */
  private static String flows(Path fired) {
    return """
        [
          {"id":"t","type":"tab","label":"guard"},
          {"id":"in","type":"http in","z":"t","url":"/ping","method":"get","wires":[["out"]]},
          {"id":"out","type":"http response","z":"t","statusCode":"200","wires":[]},
          {"id":"once","type":"inject","z":"t","once":true,"onceDelay":0.1,"repeat":"","payload":"fired",
           "payloadType":"str","wires":[["write-fired"]]},
          {"id":"write-fired","type":"file","z":"t","filename":"%s","filenameType":"str","appendNewline":true,
           "createDir":false,"overwriteFile":"false","encoding":"none","wires":[]}
        ]
        """.formatted(fired.toString());
  }

  /** The user's own settings: a login, a token of theirs with every permission, their own middleware. */
  private static final String USER_SETTINGS_BODY = """
        flowFile: "flows.json",
        adminAuth: {
          type: "credentials",
          users: [{ username: "ops", password: "$2b$08$wuAqPiKJlVN27eF5qJp.RuQYuy6ZYONW7a/UWYxDTtwKFCdB8F19y", permissions: "*" }],
          tokens: function (t) { return Promise.resolve(t === "%s" ? { username: "ops", permissions: "*" } : null); }
        },
        httpAdminMiddleware: function (req, res, next) { res.set("x-user-middleware", "ran"); next(); }
      """.formatted(USER_TOKEN);

  @Test
  void aLaunchedStandbyRefusesEveryStartOrStopWithoutTheAgentsToken() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("agent.token");
    Path userDir = dir.resolve("launched");
    Path fired = dir.resolve("fired-launched.txt");
    Files.createDirectories(userDir);
    Files.writeString(userDir.resolve("flows.json"), flows(fired));
    Files.writeString(userDir.resolve("settings.js"), "module.exports = {\n" + USER_SETTINGS_BODY + "};\n");
    NodeRedRuntime runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(userDir, port, tokenFile));
    runtimes.add(runtime);
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
    runtime.start();
    NodeRedFixture.awaitStandby(runtime, rec);
    String base = "http://127.0.0.1:" + port + "/";

    // the editor's menu items are hidden
    HttpResponse<String> settings = HTTP.send(HttpRequest.newBuilder(URI.create(base + "settings"))
        .header(NodeRedAdminClient.TOKEN_HEADER, USER_TOKEN).timeout(CALL).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(settings.statusCode()).as(settings.body()).isEqualTo(200);
    assertThat(JSON.readTree(settings.body()).path("runtimeState").path("ui").asBoolean(true)).isFalse();

    assertRefused(post(base + "flows/state", "start", null), true);
    // a user with every permission (their token passes adminAuth) is refused too
    assertRefused(post(base + "flows/state", "start", USER_TOKEN), true);
    assertRefused(post(base + "flows/state", "start", "not-the-agent-token-0123456789"), true);
    assertRefused(post(base + "flows/state/", "start", USER_TOKEN), true);
    assertRefused(post(base + "FLOWS/State", "start", USER_TOKEN), true);
    assertRefused(post(base + "flows/state", "stop", USER_TOKEN), true);

    assertFlowsNeverRan(runtime, port, tokenFile, fired);

    runtime.startFlows(CALL);
    assertThat(runtime.status().state()).isEqualTo(RuntimeState.RUNTIME_RUNNING);
    assertThat(get(port, "/ping").statusCode()).isEqualTo(200);
    awaitFile(fired);
    runtime.stopFlows(CALL);
    assertThat(get(port, "/ping").body()).as("stopped by the agent: Tandem answers").contains("stopped by Tandem");
  }

  @Test
  void anAttachedStandbyWithTheDocumentedSettingsRefusesThemToo() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("attach.token");
    TokenFile.loadOrCreate(tokenFile);
    UserDirLayout layout = new UserDirLayout(dir.resolve("attached"));
    Files.createDirectories(layout.userDir());
    Path fired = dir.resolve("fired-attached.txt");
    Files.writeString(layout.flowsFile(), flows(fired));
    UserDirPreparer.installAttachFiles(layout);
    // the lines docs/agent.md tells an attach-mode user to write
    Files.writeString(layout.userSettingsFile(), "module.exports = require(\"./tandem-attach.js\")({\n"
        + "  uiHost: \"127.0.0.1\",\n" + USER_SETTINGS_BODY + "}, { tokenFile: " + JSON.writeValueAsString(tokenFile.toString())
        + " });\n");
    List<String> cmd = new ArrayList<>(NodeRedFixture.nodeRedCommand());
    cmd.addAll(List.of("--userDir", layout.userDir().toString(), "--port", Integer.toString(port)));
    plainNodeRed = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("attached-node-red.log").toFile()).start();

    NodeRedRuntime attached = NodeRedRuntimes.create(
        NodeRedSettings.attach(URI.create("http://127.0.0.1:" + port + "/"), tokenFile));
    runtimes.add(attached);
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(attached);
    attached.start();
    rec.await(RuntimeState.RUNTIME_STANDBY, NodeRedFixture.BOOT);
    String base = "http://127.0.0.1:" + port + "/";

    assertRefused(post(base + "flows/state", "start", null), true);
    assertRefused(post(base + "flows/state", "start", USER_TOKEN), true);
    assertFlowsNeverRan(attached, port, tokenFile, fired);

    attached.setToken(4, CALL);
    attached.startFlows(CALL);
    assertThat(get(port, "/ping").statusCode()).isEqualTo(200);
    awaitFile(fired);
    attached.stopFlows(CALL);
    assertThat(get(port, "/ping").body()).as("stopped by the agent: Tandem answers").contains("stopped by Tandem");
  }

  private static HttpResponse<String> post(String url, String state, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(CALL)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"" + state + "\"}"));
    if (token != null) {
      b.header(NodeRedAdminClient.TOKEN_HEADER, token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertRefused(HttpResponse<String> r, boolean userMiddlewareRan) throws Exception {
    assertThat(r.statusCode()).as(r.uri() + ": " + r.body()).isEqualTo(403);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("error").asText()).isEqualTo("tandem");
    assertThat(body.path("message").asText())
        .isEqualTo("flows on this instance are started and stopped by Tandem; use tandemctl switchover");
    if (userMiddlewareRan) {
      assertThat(r.headers().firstValue("x-user-middleware")).as("the user's own middleware still runs").hasValue("ran");
    }
  }

  /** The refused requests changed nothing: still stopped, no route, the inject never fired. */
  private static void assertFlowsNeverRan(NodeRedRuntime rt, int port, Path tokenFile, Path fired) throws Exception {
    Thread.sleep(500); // an inject "once" fires 100 ms after a start; a route answers within ~30 ms
    assertThat(NodeRedFixture.admin(port, tokenFile).getFlowsState()).isEqualTo("stop");
    assertThat(get(port, "/ping").statusCode()).isEqualTo(404);
    assertThat(fired).doesNotExist();
    assertThat(rt.status().state()).isEqualTo(RuntimeState.RUNTIME_STANDBY);
  }

  private static void awaitFile(Path f) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Files.exists(f)) {
      assertThat(System.nanoTime() - deadline).as(f + " written by the flows").isNegative();
      Thread.sleep(20);
    }
  }
}

package io.tandem.agent.nodered;

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
 * Only the agent sets the fencing token: POST /tandem/fence without the agent's own token is refused
 * (403) and the token is unchanged, whatever Node-RED's adminAuth allows: with no adminAuth at all
 * (the admin API is open), and with a user's token that has every permission. In launch mode and in
 * attach mode with the documented settings.js. The agent's own calls still work.
 */
class AgentOnlyRoutesTest {
  private static final Duration CALL = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private static final String USER_TOKEN = "user-token-with-every-permission";
  private static final long MAX_SAFE = 9007199254740991L;

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

  @Test
  void withoutAdminAuthOnlyTheAgentSetsTheFencingToken() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("agent.token");
    Path userDir = dir.resolve("open");
    Files.createDirectories(userDir);
    Files.writeString(userDir.resolve("settings.js"), "module.exports = { flowFile: \"flows.json\" };\n");
    NodeRedRuntime runtime = launch(userDir, port, tokenFile);
    String base = "http://127.0.0.1:" + port + "/";

    runtime.setToken(5, CALL);
    assertFenceRefused(base, null);
    assertFenceRefused(base, "not-the-agent-token-0123456789");
    assertThat(status(post(base + "TANDEM/Fence/", "{\"token\":" + MAX_SAFE + "}", null))).isEqualTo(403);
    assertThat(status(post(base + "tandem//fence", "{\"token\":" + MAX_SAFE + "}", null))).isIn(403, 404);
    assertThat(status(post(base + "flows/state", "{\"state\":\"start\"}", null))).isEqualTo(403);
    assertThat(NodeRedFixture.admin(port, tokenFile).getToken(CALL)).isEqualTo(5);
    assertThat(runtime.status().state()).isEqualTo(RuntimeState.RUNTIME_STANDBY);

    // the agent's own calls: a higher token, then a start
    runtime.setToken(7, CALL);
    runtime.startFlows(CALL);
    assertThat(runtime.status().state()).isEqualTo(RuntimeState.RUNTIME_RUNNING);
  }

  @Test
  void aUserTokenWithEveryPermissionCannotSetTheFencingToken() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("agent.token");
    Path userDir = dir.resolve("locked");
    Files.createDirectories(userDir);
    Files.writeString(userDir.resolve("settings.js"), "module.exports = {\n  flowFile: \"flows.json\",\n"
        + "  adminAuth: { type: \"credentials\",\n"
        + "    users: [{ username: \"ops\", password: \"$2b$08$wuAqPiKJlVN27eF5qJp.RuQYuy6ZYONW7a/UWYxDTtwKFCdB8F19y\", permissions: \"*\" }],\n"
        + "    tokens: function (t) { return Promise.resolve(t === \"" + USER_TOKEN + "\" ? { username: \"ops\", permissions: \"*\" } : null); } }\n"
        + "};\n");
    NodeRedRuntime runtime = launch(userDir, port, tokenFile);
    String base = "http://127.0.0.1:" + port + "/";

    runtime.setToken(3, CALL);
    // the user's token passes adminAuth (it reads the token) but cannot set it
    HttpResponse<String> read = HTTP.send(HttpRequest.newBuilder(URI.create(base + "tandem/fence"))
        .header(NodeRedAdminClient.TOKEN_HEADER, USER_TOKEN).timeout(CALL).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertFenceRefused(base, USER_TOKEN);
    // no token at all: adminAuth asks for a login first
    assertThat(status(post(base + "tandem/fence", "{\"token\":" + MAX_SAFE + "}", null))).isIn(401, 403);
    assertThat(NodeRedFixture.admin(port, tokenFile).getToken(CALL)).isEqualTo(3);
  }

  @Test
  void anAttachedRuntimeWithTheDocumentedSettingsRefusesItToo() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("attach.token");
    TokenFile.loadOrCreate(tokenFile);
    UserDirLayout layout = new UserDirLayout(dir.resolve("attached"));
    Files.createDirectories(layout.userDir());
    UserDirPreparer.installAttachFiles(layout);
    // the lines docs/agent.md tells an attach-mode user to write, without an adminAuth of their own
    Files.writeString(layout.userSettingsFile(), "module.exports = require(\"./tandem-attach.js\")({\n"
        + "  uiHost: \"127.0.0.1\",\n  flowFile: \"flows.json\"\n}, { tokenFile: "
        + JSON.writeValueAsString(tokenFile.toString()) + " });\n");
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

    attached.setToken(4, CALL);
    assertFenceRefused(base, null);
    assertFenceRefused(base, "not-the-agent-token-0123456789");
    assertThat(NodeRedFixture.admin(port, tokenFile).getToken(CALL)).isEqualTo(4);
    attached.setToken(6, CALL);
  }

  private NodeRedRuntime launch(Path userDir, int port, Path tokenFile) throws Exception {
    NodeRedRuntime runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(userDir, port, tokenFile));
    runtimes.add(runtime);
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
    runtime.start();
    NodeRedFixture.awaitStandby(runtime, rec);
    return runtime;
  }

  private static void assertFenceRefused(String base, String token) throws Exception {
    HttpResponse<String> r = post(base + "tandem/fence", "{\"token\":" + MAX_SAFE + "}", token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("error").asText()).isEqualTo("tandem");
    assertThat(body.path("message").asText()).isEqualTo("the fencing token of this instance is set by the Tandem agent only");
  }

  private static int status(HttpResponse<String> r) {
    return r.statusCode();
  }

  private static HttpResponse<String> post(String url, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(CALL)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header(NodeRedAdminClient.TOKEN_HEADER, token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}

package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.agent.LogCapture;
import io.tandem.proto.agent.RuntimeState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node-RED stays as locked as its owner left it: without adminAuth the agent adds none (the editor is
 * exactly as open as before, and the agent warns once); with adminAuth the user's login and default
 * stay and only the agent's token is added. The agent's token file stays 0600.
 */
class NodeRedAccessTest {
  private static final Duration CALL = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private static final String OPEN_WARNING = "has no adminAuth, so its editor and admin API on 127.0.0.1:";

  @TempDir Path dir;
  private NodeRedRuntime runtime;

  @AfterEach
  void cleanUp() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void withoutAdminAuthNoneIsAddedAndTheAgentWarnsOnce() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("agent.token");
    Path userDir = dir.resolve("open");
    Files.createDirectories(userDir);
    Files.writeString(userDir.resolve("settings.js"), "module.exports = { flowFile: \"flows.json\" };\n");
    try (LogCapture log = LogCapture.start()) {
      launch(userDir, port, tokenFile);
      String base = "http://127.0.0.1:" + port + "/";
      // no login prompt: Node-RED's own answer when adminAuth is not set
      HttpResponse<String> login = get(base + "auth/login", null);
      assertThat(login.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(login.body()).has("type")).as(login.body()).isFalse();
      assertThat(get(base + "flows", null).statusCode()).isEqualTo(200);
      assertThat(log.count(OPEN_WARNING)).as(log.text()).isEqualTo(1);
      // a relaunch does not repeat the agent's warning
      NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
      assertThat(runtime.kill("test relaunch")).isTrue();
      rec.await(RuntimeState.RUNTIME_DOWN, NodeRedFixture.BOOT);
      rec.await(RuntimeState.RUNTIME_STANDBY, NodeRedFixture.BOOT);
      assertThat(log.count(OPEN_WARNING)).isEqualTo(1);
    }
    assertThat(Files.readString(userDir.resolve("tandem-node-red.log")))
        .contains("Tandem: settings.js has no adminAuth: the Node-RED editor and admin API on 127.0.0.1:" + port);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
    assertThat(Files.readString(userDir.resolve("tandem-settings.js"))).doesNotContain(TokenFile.loadOrCreate(tokenFile));
  }

  @Test
  void aUsersAdminAuthKeepsItsUsersAndDefaultAndAddsOnlyTheAgentsToken() throws Exception {
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("agent.token");
    Path userDir = dir.resolve("locked");
    Files.createDirectories(userDir);
    Files.writeString(userDir.resolve("settings.js"), "module.exports = {\n  flowFile: \"flows.json\",\n"
        + "  adminAuth: { type: \"credentials\",\n"
        + "    users: [{ username: \"ops\", password: \"$2b$08$wuAqPiKJlVN27eF5qJp.RuQYuy6ZYONW7a/UWYxDTtwKFCdB8F19y\", permissions: \"*\" }],\n"
        + "    default: { permissions: \"read\" } }\n};\n");
    try (LogCapture log = LogCapture.start()) {
      launch(userDir, port, tokenFile);
      assertThat(log.count(OPEN_WARNING)).isZero();
    }
    String base = "http://127.0.0.1:" + port + "/";
    HttpResponse<String> login = get(base + "auth/login", null);
    JsonNode prompt = JSON.readTree(login.body());
    assertThat(prompt.path("type").asText()).as(login.body()).isEqualTo("credentials");
    // the user's default (read) still applies to anonymous requests, and only that
    assertThat(get(base + "flows", null).statusCode()).isEqualTo(200);
    HttpResponse<String> write = deploy(base, null);
    assertThat(write.statusCode()).as(write.body()).isEqualTo(401);
    // a token that is not the agent's is not a login
    assertThat(deploy(base, "not-the-agent-token-0123456789").statusCode()).isEqualTo(401);
    // the agent's token works
    runtime.startFlows(CALL);
    assertThat(runtime.status().state()).isEqualTo(RuntimeState.RUNTIME_RUNNING);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
  }

  private void launch(Path userDir, int port, Path tokenFile) throws Exception {
    runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(userDir, port, tokenFile));
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
    runtime.start();
    NodeRedFixture.awaitStandby(runtime, rec);
  }

  private static HttpResponse<String> deploy(String base, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "flows")).timeout(CALL)
        .header("Content-Type", "application/json").header("Node-RED-API-Version", "v2")
        .POST(HttpRequest.BodyPublishers.ofString("{\"flows\":[]}"));
    if (token != null) {
      b.header(NodeRedAdminClient.TOKEN_HEADER, token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(CALL);
    if (token != null) {
      b.header(NodeRedAdminClient.TOKEN_HEADER, token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}

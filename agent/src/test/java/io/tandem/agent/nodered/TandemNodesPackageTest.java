package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent writes node-red-contrib-tandem (the tandem leader and tandem role nodes, the editor
 * sidebar) into the userDir and the settings load it with RED.settings.tandemNodes, in launch mode
 * and in attach mode; a real Node-RED then lists the nodes and the plugin.
 */
class TandemNodesPackageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SOURCE = Path.of("..", "node-red");
  private static final String SETTINGS_SCRIPT = """
      const s = require(process.argv[1]);
      console.log(JSON.stringify({ nodesDir: s.nodesDir || null, tandemNodes: s.tandemNodes || null }));
      """;

  @TempDir Path dir;
  private Process nodeRed;

  @AfterEach
  void stop() throws Exception {
    if (nodeRed != null) {
      ProcessTree.killForcibly(nodeRed);
      nodeRed.waitFor();
    }
  }

  @Test
  void theListedFilesAreEveryNodeAndPluginOfThePackage() throws Exception {
    List<String> onDisk = new ArrayList<>();
    for (String sub : List.of("nodes", "plugins")) {
      try (Stream<Path> files = Files.list(SOURCE.resolve(sub))) {
        files.forEach(f -> onDisk.add(sub + "/" + f.getFileName()));
      }
    }
    assertThat(UserDirPreparer.NODES_PACKAGE_FILES).containsAll(onDisk)
        .contains("package.json", "lib/role-watcher.js");
  }

  @Test
  void launchModeWritesThePackageAndTheSettingsLoadItWithTheContextStoresAddress() throws Exception {
    NodeRedFixture.nodeRedCommand();
    UserDirLayout layout = new UserDirLayout(dir.resolve("nr"));
    Files.createDirectories(layout.userDir());
    Files.writeString(layout.userSettingsFile(), "module.exports = { nodesDir: \"/opt/my-nodes\" };\n");
    Path tokenFile = dir.resolve("agent.token");
    TokenFile.loadOrCreate(tokenFile);
    UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile, URI.create("http://127.0.0.1:7400/"), false,
        new UserDirPreparer.ContextPlugin(URI.create("http://127.0.0.1:7401/"), false));

    for (String name : UserDirPreparer.NODES_PACKAGE_FILES) {
      assertThat(layout.nodesPackageDir().resolve(name)).as(name)
          .hasSameTextualContentAs(SOURCE.resolve(name), StandardCharsets.UTF_8);
    }
    JsonNode s = loadSettings(layout.tandemSettingsFile());
    assertThat(JSON.convertValue(s.path("nodesDir"), List.class))
        .containsExactly("/opt/my-nodes", layout.nodesPackageDir().toString());
    assertThat(s.path("tandemNodes").path("agentUrl").asText()).isEqualTo("http://127.0.0.1:7401/");
    assertThat(s.path("tandemNodes").path("tokenFile").asText()).isEqualTo(tokenFile.toAbsolutePath().toString());
    assertThat(s.path("tandemNodes").path("tokenHeader").asText()).isEqualTo("x-tandem-token");
  }

  @Test
  void withoutAnAgentAddressNoNodesAreAdded() throws Exception {
    NodeRedFixture.nodeRedCommand();
    UserDirLayout layout = new UserDirLayout(dir.resolve("bare"));
    Path tokenFile = dir.resolve("agent.token");
    TokenFile.loadOrCreate(tokenFile);
    UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile);
    assertThat(layout.nodesPackageDir()).doesNotExist();
    JsonNode s = loadSettings(layout.tandemSettingsFile());
    assertThat(s.path("nodesDir").isNull()).isTrue();
    assertThat(s.path("tandemNodes").isNull()).isTrue();
  }

  @Test
  void releasingTheUserDirRemovesThePackageButNotAFileOfTheUsersInIt() throws Exception {
    UserDirLayout layout = new UserDirLayout(dir.resolve("rel"));
    Files.createDirectories(layout.userDir());
    UserDirPreparer.writeNodesPackage(layout);
    List<String> done = UserDirRelease.release(layout.userDir());
    assertThat(done).contains("removed " + layout.nodesPackageDir().resolve("nodes/tandem-leader.js"),
        "removed empty folder " + layout.nodesPackageDir());
    assertThat(layout.nodesPackageDir()).doesNotExist();

    UserDirPreparer.writeNodesPackage(layout);
    Files.writeString(layout.nodesPackageDir().resolve("nodes/mine.js"), "// the user's");
    UserDirRelease.release(layout.userDir());
    assertThat(layout.nodesPackageDir().resolve("nodes/mine.js")).exists();
    assertThat(layout.nodesPackageDir().resolve("nodes/tandem-leader.js")).doesNotExist();
  }

  @Test
  void anAttachedNodeRedWithTheDocumentedSettingsListsTheNodesAndThePlugin() throws Exception {
    int port = NodeRedFixture.freePort();
    int agentPort = NodeRedFixture.freePort();  // nothing listens: the sidebar's route says so
    Path tokenFile = dir.resolve("attach.token");
    TokenFile.loadOrCreate(tokenFile);
    UserDirLayout layout = new UserDirLayout(dir.resolve("attached"));
    Files.createDirectories(layout.userDir());
    List<Path> written = UserDirPreparer.installAttachFiles(layout);
    assertThat(written).contains(layout.nodesPackageDir().resolve("nodes/tandem-leader.js"));
    Files.writeString(layout.userSettingsFile(), "module.exports = require(\"./tandem-attach.js\")({\n"
        + "  uiHost: \"127.0.0.1\",\n  flowFile: \"flows.json\"\n}, { tokenFile: "
        + JSON.writeValueAsString(tokenFile.toString()) + ", agentUrl: \"http://127.0.0.1:" + agentPort + "/\" });\n");
    List<String> cmd = new ArrayList<>(NodeRedFixture.nodeRedCommand());
    cmd.addAll(List.of("--userDir", layout.userDir().toString(), "--port", Integer.toString(port)));
    nodeRed = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("node-red.log").toFile()).start();
    String token = Files.readString(tokenFile).trim();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();

    HttpResponse<String> nodes = awaitAnswer(http, "http://127.0.0.1:" + port + "/nodes", token);
    JsonNode list = JSON.readTree(nodes.body());
    List<String> types = new ArrayList<>();
    list.forEach(n -> {
      if ("node-red-contrib-tandem".equals(n.path("module").asText())) {
        n.path("types").forEach(t -> types.add(t.asText()));
      }
    });
    assertThat(types).as(nodes.body()).containsExactlyInAnyOrder("tandem leader", "tandem role");
    HttpResponse<String> plugins = send(http, "http://127.0.0.1:" + port + "/plugins", token, "application/json");
    assertThat(plugins.body()).contains("\"tandem-sidebar\"");
    HttpResponse<String> editorPart = send(http, "http://127.0.0.1:" + port + "/plugins", token, "text/html");
    assertThat(editorPart.body()).contains("RED.sidebar.addTab").contains("tandem-standby-banner");
    HttpResponse<String> role = send(http, "http://127.0.0.1:" + port + "/tandem/role", token, "application/json");
    assertThat(role.statusCode()).as(role.body()).isEqualTo(502);
    assertThat(role.body()).contains("does not answer");
  }

  private HttpResponse<String> awaitAnswer(HttpClient http, String url, String token) throws Exception {
    long end = System.nanoTime() + NodeRedFixture.BOOT.toNanos();
    while (true) {
      try {
        HttpResponse<String> r = send(http, url, token, "application/json");
        if (r.statusCode() == 200) {
          return r;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      assertThat(System.nanoTime()).as("Node-RED answers " + url + " (log: "
          + Files.readString(dir.resolve("node-red.log")) + ")").isLessThan(end);
      assertThat(nodeRed.isAlive()).as(Files.readString(dir.resolve("node-red.log"))).isTrue();
      Thread.sleep(100);
    }
  }

  private static HttpResponse<String> send(HttpClient http, String url, String token, String accept) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Accept", accept).header(NodeRedAdminClient.TOKEN_HEADER, token).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode loadSettings(Path settingsFile) throws Exception {
    Process p = new ProcessBuilder("node", "-e", SETTINGS_SCRIPT, settingsFile.toString())
        .redirectErrorStream(true).start();
    try {
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    } finally {
      ProcessTree.killForcibly(p);
    }
  }
}

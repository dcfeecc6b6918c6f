package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserDirPreparerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER_SETTINGS = """
      module.exports = {
        httpAdminRoot: "/admin",
        uiPort: 9999,
        functionGlobalContext: { site: "plant-7" },
        runtimeState: { enabled: false },
        adminAuth: { type: "credentials", users: [{ username: "ops", password: "x", permissions: "*" }] }
      };
      """;

  @TempDir Path dir;

  @Test
  void keepsTheUsersFilesAndMergesTheFlowsStateKey() throws IOException {
    UserDirLayout layout = new UserDirLayout(dir.resolve("nr"));
    Files.createDirectories(layout.userDir());
    Files.writeString(layout.userSettingsFile(), USER_SETTINGS);
    Files.writeString(layout.flowsFile(), "[{\"id\":\"keep-me\",\"type\":\"tab\"}]");
    Files.writeString(layout.runtimeConfigFile(),
        "{\"instanceId\":\"abc123\",\"_credentialSecret\":\"s3cret\",\"runtimeFlowState\":\"start\"}");
    Files.setPosixFilePermissions(layout.runtimeConfigFile(), PosixFilePermissions.fromString("rw-------"));

    UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile());

    assertThat(Files.readString(layout.userSettingsFile())).isEqualTo(USER_SETTINGS);
    assertThat(Files.readString(layout.flowsFile())).isEqualTo("[{\"id\":\"keep-me\",\"type\":\"tab\"}]");
    JsonNode runtime = JSON.readTree(layout.runtimeConfigFile().toFile());
    assertThat(runtime.path("runtimeFlowState").asText()).isEqualTo("stop");
    assertThat(runtime.path("instanceId").asText()).isEqualTo("abc123");
    assertThat(runtime.path("_credentialSecret").asText()).isEqualTo("s3cret");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(layout.runtimeConfigFile())))
        .isEqualTo("rw-------");
    assertThat(layout.fenceModuleFile()).content().contains("/tandem/fence").contains("needsPermission");
    assertThat(layout.fenceModuleHtmlFile()).exists();
    assertThat(layout.guardModuleFile()).content().contains("use tandemctl switchover");
    assertThat(layout.tandemSettingsFile()).content().contains(layout.userSettingsFile().toString());
    try (var leftovers = Files.list(layout.userDir())) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tandem-tmp"));
    }

    UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile()); // idempotent
    assertThat(JSON.readTree(layout.runtimeConfigFile().toFile()).path("instanceId").asText()).isEqualTo("abc123");
  }

  @Test
  void createsTheRuntimeConfigWhenMissing() throws IOException {
    UserDirLayout layout = new UserDirLayout(dir.resolve("fresh"));
    UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile());
    assertThat(JSON.readTree(layout.runtimeConfigFile().toFile()).path("runtimeFlowState").asText()).isEqualTo("stop");
    assertThat(layout.userSettingsFile()).doesNotExist();
  }

  @Test
  void refusesToOverwriteACorruptRuntimeConfig() throws IOException {
    UserDirLayout layout = new UserDirLayout(dir.resolve("corrupt"));
    Files.createDirectories(layout.userDir());
    Files.writeString(layout.runtimeConfigFile(), "{\"_credentialSecret\":\"s3c");
    assertThatThrownBy(() -> UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(".config.runtime.json is not valid JSON");
    assertThat(Files.readString(layout.runtimeConfigFile())).isEqualTo("{\"_credentialSecret\":\"s3c");
  }

  /** Loads the generated settings in node, as Node-RED would, and checks what it merged. */
  @Test
  void generatedSettingsMergeTheUsersSettingsAndAcceptOnlyTheAgentsToken() throws Exception {
    NodeRedFixture.nodeRedCommand(); // node and Node-RED must be installed
    UserDirLayout layout = new UserDirLayout(dir.resolve("merge"));
    Files.createDirectories(layout.userDir());
    Files.writeString(layout.userSettingsFile(), USER_SETTINGS);
    Path tokenFile = tokenFile();
    UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile);
    String token = TokenFile.loadOrCreate(tokenFile);
    String script = """
        const s = require(process.argv[1]);
        Promise.all([s.adminAuth.tokens(process.argv[2]), s.adminAuth.tokens(process.argv[2] + "x")]).then(([good, bad]) => {
          console.log(JSON.stringify({ site: s.functionGlobalContext.site, token: s.functionGlobalContext.tandem.token,
            runtimeState: s.runtimeState, middleware: s.httpAdminMiddleware.length, uiHost: s.uiHost, uiPort: s.uiPort, header: s.adminAuth.tokenHeader,
            users: s.adminAuth.users.length, good, bad }));
        });
        """;
    Process p = new ProcessBuilder("node", "-e", script, layout.tandemSettingsFile().toString(), token)
        .redirectErrorStream(true).start();
    try {
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      JsonNode s = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
      assertThat(s.path("site").asText()).isEqualTo("plant-7");
      assertThat(s.path("token").asLong()).isZero();
      assertThat(s.path("runtimeState").path("enabled").asBoolean()).isTrue();
      assertThat(s.path("runtimeState").path("ui").asBoolean(true)).as("no start/stop items in the editor").isFalse();
      assertThat(s.path("middleware").asInt()).as("the flows-state guard").isEqualTo(1);
      assertThat(s.path("uiHost").asText()).isEqualTo("127.0.0.1");
      assertThat(s.path("uiPort").asInt()).isEqualTo(1881);
      assertThat(s.path("header").asText()).isEqualTo(NodeRedAdminClient.TOKEN_HEADER);
      assertThat(s.path("users").asInt()).isEqualTo(1);
      assertThat(s.path("good").path("permissions")).hasSize(2);
      assertThat(JSON.convertValue(s.path("good").path("permissions"), List.class))
          .containsExactlyInAnyOrder("flows.read", "flows.write");
      assertThat(s.path("bad").isNull()).isTrue();
      JsonNode info = JSON.readTree(layout.launchInfoFile().toFile());
      assertThat(info.path("adminRoot").asText()).isEqualTo("/admin/");
    } finally {
      ProcessTree.killForcibly(p);
    }
  }

  /** With the agent's address the settings load the shipped storage plugin and tell it where the agent is. */
  @Test
  void generatedSettingsLoadTheStoragePluginWithTheAgentsAddress() throws Exception {
    NodeRedFixture.nodeRedCommand();
    UserDirLayout layout = new UserDirLayout(dir.resolve("storage"));
    Path tokenFile = tokenFile();
    UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile, java.net.URI.create("http://127.0.0.1:7401/"));
    assertThat(layout.storageModuleFile()).content().contains("saveFlows").contains("getCredentials");
    assertThat(layout.groupDataDir()).isDirectory();
    String script = """
        const s = require(process.argv[1]);
        console.log(JSON.stringify({ fns: Object.keys(s.storageModule).filter(k => typeof s.storageModule[k] === "function"),
          cfg: s.tandemStorage }));
        """;
    Process p = new ProcessBuilder("node", "-e", script, layout.tandemSettingsFile().toString())
        .redirectErrorStream(true).start();
    try {
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      JsonNode s = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
      assertThat(JSON.convertValue(s.path("fns"), List.class)).contains("init", "getFlows", "saveFlows",
          "getCredentials", "saveCredentials", "getSettings", "saveSettings", "getSessions", "saveSessions",
          "getLibraryEntry", "saveLibraryEntry");
      assertThat(s.path("cfg").path("agentUrl").asText()).isEqualTo("http://127.0.0.1:7401/");
      assertThat(s.path("cfg").path("tokenFile").asText()).isEqualTo(tokenFile.toAbsolutePath().toString());
      assertThat(s.path("cfg").path("dataDir").asText()).isEqualTo(layout.groupDataDir().toString());
    } finally {
      ProcessTree.killForcibly(p);
    }
  }

  @Test
  void withoutTheAgentsAddressNoStoragePlugin() throws IOException {
    UserDirLayout layout = new UserDirLayout(dir.resolve("plain"));
    UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile());
    assertThat(layout.storageModuleFile()).doesNotExist();
    assertThat(layout.tandemSettingsFile()).content().contains("\"storage\" : null");
  }

  /** Runs {@code script} in node on the generated settings of {@code layout}; returns its last line as JSON. */
  private static JsonNode loadSettings(UserDirLayout layout, String script) throws Exception {
    Process p = new ProcessBuilder("node", "-e", script, layout.tandemSettingsFile().toString())
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

  private static final String CONTEXT_SCRIPT = """
      const s = require(process.argv[1]);
      const cs = s.contextStorage || {};
      const t = s.functionGlobalContext.tandem;
      console.log(JSON.stringify({ names: Object.keys(cs), dflt: cs.default,
        isFn: typeof (cs.tandem && cs.tandem.module) === "function", cfg: cs.tandem && cs.tandem.config,
        own: cs.file, helpers: t && t.context ? Object.keys(t.context) : null, frozen: Object.isFrozen(t) }));
      """;

  /** The context store is registered beside the user's own stores, which keep their default. */
  @Test
  void generatedSettingsRegisterTheContextStoreBesideTheUsersStores() throws Exception {
    NodeRedFixture.nodeRedCommand();
    UserDirLayout layout = new UserDirLayout(dir.resolve("ctx"));
    Files.createDirectories(layout.userDir());
    Files.writeString(layout.userSettingsFile(),
        "module.exports = { contextStorage: { file: { module: \"localfilesystem\" } } };\n");
    Path tokenFile = tokenFile();
    UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile, null,
        new UserDirPreparer.ContextPlugin(java.net.URI.create("http://127.0.0.1:7401/"), false));
    assertThat(layout.contextModuleFile()).exists();
    JsonNode s = loadSettings(layout, CONTEXT_SCRIPT);
    assertThat(s.path("isFn").asBoolean()).isTrue();
    assertThat(s.path("dflt").asText()).as("the user's first store stays the default").isEqualTo("file");
    assertThat(s.path("own").path("module").asText()).isEqualTo("localfilesystem");
    assertThat(s.path("cfg").path("agentUrl").asText()).isEqualTo("http://127.0.0.1:7401/");
    assertThat(s.path("cfg").path("tokenFile").asText()).isEqualTo(tokenFile.toAbsolutePath().toString());
    assertThat(s.path("cfg").path("tokenHeader").asText()).isEqualTo("x-tandem-token");
    assertThat(JSON.convertValue(s.path("helpers"), List.class)).contains("increment", "compareAndSet");
    assertThat(s.path("frozen").asBoolean()).isTrue();
  }

  @Test
  void withContextDefaultTheTandemStoreIsTheDefaultAndMemoryStaysWithoutOwnStores() throws Exception {
    NodeRedFixture.nodeRedCommand();
    UserDirLayout layout = new UserDirLayout(dir.resolve("ctx-default"));
    UserDirPreparer.prepare(layout, "127.0.0.1", 1881, tokenFile(), null,
        new UserDirPreparer.ContextPlugin(java.net.URI.create("http://127.0.0.1:7401/"), true));
    assertThat(loadSettings(layout, CONTEXT_SCRIPT).path("dflt").asText()).isEqualTo("tandem");
    UserDirLayout plain = new UserDirLayout(dir.resolve("ctx-plain"));
    UserDirPreparer.prepare(plain, "127.0.0.1", 1881, tokenFile(), null,
        new UserDirPreparer.ContextPlugin(java.net.URI.create("http://127.0.0.1:7401/"), false));
    JsonNode s = loadSettings(plain, CONTEXT_SCRIPT);
    assertThat(s.path("dflt").asText()).as("memory stays the default").isEqualTo("memory");
    assertThat(JSON.convertValue(s.path("names"), List.class)).containsExactly("default", "memory", "tandem");
  }

  private Path tokenFile() throws IOException {
    Path f = dir.resolve("agent.token");
    TokenFile.loadOrCreate(f);
    return f;
  }
}

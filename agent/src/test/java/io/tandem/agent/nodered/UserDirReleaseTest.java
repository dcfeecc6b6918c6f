package io.tandem.agent.nodered;

import static io.tandem.agent.nodered.NodeRedFixture.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tandem-agent --release-userdir: a userDir the agent ran goes back to plain Node-RED. */
class UserDirReleaseTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER_SETTINGS = "module.exports = { flowFile: \"flows.json\", uiHost: \"127.0.0.1\" };\n";
  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();
  private NodeRedRuntime runtime;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (runtime != null) {
      runtime.close();
    }
    for (Process p : processes) {
      ProcessTree.killForcibly(p);
      p.waitFor();
    }
  }

  @Test
  void aReleasedUserDirBootsWithItsFlowsRunningUnderPlainNodeRed() throws Exception {
    int port = NodeRedFixture.freePort();
    UserDirLayout layout = new UserDirLayout(dir.resolve("userdir"));
    Files.createDirectories(layout.userDir());
    Files.writeString(layout.userSettingsFile(), USER_SETTINGS);
    Files.writeString(layout.flowsFile(), NodeRedFixture.PING_AND_TOKEN_FLOWS);
    runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(layout.userDir(), port, layout.defaultTokenFile()));
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
    runtime.start();
    RuntimeStatus standby = NodeRedFixture.awaitStandby(runtime, rec);
    String instanceId = JSON.readTree(layout.runtimeConfigFile().toFile()).path("instanceId").asText("");

    assertThatThrownBy(() -> UserDirRelease.release(layout.userDir()))
        .isInstanceOf(UserDirRelease.InUseException.class)
        .hasMessageContaining("Node-RED (pid " + standby.pid() + ") still runs for " + layout.userDir());
    assertThat(layout.tandemSettingsFile()).as("nothing removed while in use").exists();

    runtime.close();
    List<String> done = UserDirRelease.release(layout.userDir());
    assertThat(done).contains(
        "removed " + layout.tandemSettingsFile(),
        "removed " + layout.guardModuleFile(),
        "removed " + layout.fenceModuleFile(),
        "removed " + layout.fenceModuleHtmlFile(),
        "removed " + layout.launchInfoFile(),
        "removed " + layout.logFile(),
        "removed " + layout.defaultTokenFile(),
        "removed empty folder " + layout.fenceModuleFile().getParent());
    assertThat(done.get(0)).startsWith("changed " + layout.runtimeConfigFile() + ": removed \"runtimeFlowState\":\"stop\"");
    for (Path f : UserDirRelease.agentFiles(layout)) {
      assertThat(f).doesNotExist();
    }
    JsonNode config = JSON.readTree(layout.runtimeConfigFile().toFile());
    assertThat(config.has("runtimeFlowState")).isFalse();
    assertThat(config.path("instanceId").asText("")).isEqualTo(instanceId);
    assertThat(layout.userSettingsFile()).content().isEqualTo(USER_SETTINGS);
    assertThat(layout.flowsFile()).content().isEqualTo(NodeRedFixture.PING_AND_TOKEN_FLOWS);
    assertThat(UserDirRelease.release(layout.userDir())).as("a second release has nothing left to do").isEmpty();

    // plain Node-RED on the released userDir: the flows run at boot
    List<String> cmd = new ArrayList<>(NodeRedFixture.nodeRedCommand());
    cmd.addAll(List.of("--userDir", layout.userDir().toString(), "--port", Integer.toString(port)));
    processes.add(new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("plain.log").toFile()).start());
    long deadline = System.nanoTime() + NodeRedFixture.BOOT.toNanos();
    int code = 0;
    while (System.nanoTime() < deadline) {
      try {
        code = get(port, "/ping").statusCode();
        if (code == 200) {
          break;
        }
      } catch (java.io.IOException notYet) {
        // still booting
      }
      Thread.sleep(100);
    }
    assertThat(code).as("GET /ping on plain Node-RED; its log: " + Files.readString(dir.resolve("plain.log")))
        .isEqualTo(200);
  }

  @Test
  void keepsOtherKeysAndTheFileModeAndRemovesLeftovers() throws Exception {
    UserDirLayout layout = new UserDirLayout(dir.resolve("u"));
    Files.createDirectories(layout.fenceModuleFile().getParent());
    Files.writeString(layout.fenceModuleFile().getParent().resolve("my-node.js"), "// the user's own node");
    Files.writeString(layout.fenceModuleFile(), "x");
    Files.writeString(layout.userDir().resolve("tandem-settings.js.tandem-tmp"), "x");
    Files.writeString(layout.runtimeConfigFile(),
        "{\"instanceId\":\"i1\",\"_credentialSecret\":\"s\",\"runtimeFlowState\":\"stop\"}");
    Files.setPosixFilePermissions(layout.runtimeConfigFile(), PosixFilePermissions.fromString("rw-------"));

    List<String> done = UserDirRelease.release(layout.userDir());

    assertThat(done).hasSize(3).contains("removed " + layout.fenceModuleFile(),
        "removed " + layout.userDir().resolve("tandem-settings.js.tandem-tmp"));
    JsonNode config = JSON.readTree(layout.runtimeConfigFile().toFile());
    assertThat(config.path("instanceId").asText()).isEqualTo("i1");
    assertThat(config.path("_credentialSecret").asText()).isEqualTo("s");
    assertThat(config.has("runtimeFlowState")).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(layout.runtimeConfigFile())))
        .isEqualTo("rw-------");
    assertThat(layout.fenceModuleFile().getParent().resolve("my-node.js")).as("the user's node stays").exists();
  }

  @Test
  void writesTheGroupsCurrentRevisionBackIntoTheUsersFlowsFileAndKeepsTheOldOne() throws Exception {
    UserDirLayout layout = new UserDirLayout(dir.resolve("u"));
    Files.createDirectories(layout.groupDataDir());
    Path myFlows = layout.userDir().resolve("my-flows.json");
    Files.writeString(myFlows, "[{\"id\":\"yesterday\",\"type\":\"tab\"}]");
    Files.writeString(layout.currentRevisionFile(), "{\"revision\":42,\"flows\":[{\"id\":\"today\",\"type\":\"tab\"}],"
        + "\"credentials\":{\"$\":\"abc\"}}");
    Files.writeString(layout.storageModuleFile(), "// plugin");
    Files.writeString(layout.launchInfoFile(), "{\"pid\":2147483646,\"flowFile\":\"" + myFlows + "\"}");

    List<String> done = UserDirRelease.release(layout.userDir());

    assertThat(JSON.readTree(myFlows.toFile()).get(0).path("id").asText()).isEqualTo("today");
    assertThat(JSON.readTree(layout.userDir().resolve("my-flows_cred.json").toFile()).path("$").asText())
        .isEqualTo("abc");
    assertThat(Files.readString(layout.userDir().resolve("my-flows.json.before-release"))).contains("yesterday");
    assertThat(done).contains("wrote revision 42's flows to " + myFlows,
        "removed " + layout.storageModuleFile(), "removed " + layout.currentRevisionFile(),
        "removed empty folder " + layout.groupDataDir());
    assertThat(layout.groupDataDir()).doesNotExist();
  }

  @Test
  void aCorruptLocalRevisionIsAClearErrorAndChangesNothing() throws Exception {
    UserDirLayout layout = new UserDirLayout(dir.resolve("u"));
    Files.createDirectories(layout.groupDataDir());
    Files.writeString(layout.currentRevisionFile(), "{\"revision\":4");
    Files.writeString(layout.tandemSettingsFile(), "// wrapper");

    assertThatThrownBy(() -> UserDirRelease.release(layout.userDir()))
        .hasMessageContaining("current.json is not valid JSON")
        .hasMessageContaining("tandemctl flows export");
    assertThat(layout.tandemSettingsFile()).as("nothing removed").exists();
  }

  @Test
  void refusesWhileTheLaunchInfoNamesALiveProcessForThisUserDirAndNotAfter() throws Exception {
    UserDirLayout layout = new UserDirLayout(dir.resolve("busy"));
    Files.createDirectories(layout.userDir());
    Files.writeString(layout.tandemSettingsFile(), "x");
    // a process whose command line names the userDir, as Node-RED's does
    Process p = new ProcessBuilder("bash", "-c", "sleep 60; true", layout.userDir().toString()).start();
    processes.add(p);
    Files.writeString(layout.launchInfoFile(), "{\"pid\":" + p.pid() + ",\"agentPid\":-1,\"adminRoot\":\"/\"}");
    assertThatThrownBy(() -> UserDirRelease.release(layout.userDir()))
        .isInstanceOf(UserDirRelease.InUseException.class).hasMessageContaining("pid " + p.pid());
    assertThat(layout.tandemSettingsFile()).exists();

    ProcessTree.killForcibly(p);
    p.waitFor();
    assertThat(UserDirRelease.release(layout.userDir())).contains("removed " + layout.tandemSettingsFile());
  }

  @Test
  void aMissingFolderIsAClearError() {
    assertThatThrownBy(() -> UserDirRelease.release(dir.resolve("nope")))
        .hasMessageContaining("nope is not a directory");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s).isEmpty();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}

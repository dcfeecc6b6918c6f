package io.tandem.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  @Test
  void helpExitsZeroAndDescribesTheOptions() {
    assertThat(AgentMain.run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--config").contains("/active");
  }

  @Test
  void versionExitsZero() {
    assertThat(AgentMain.run("--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("tandem-agent ");
  }

  @Test
  void missingConfigOptionExitsTwo() {
    assertThat(AgentMain.run()).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--config");
  }

  @Test
  void badConfigExitsTwoNamingFileAndField(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("agent.yaml");
    Files.writeString(f, "group: g\ninstance: a\ncoordinators: [127.0.0.1:1]\nnodeRed: {port: 1}\n");
    assertThat(AgentMain.run("--config", f.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(f + ": nodeRed.userDir: is required in launch mode");
  }

  @Test
  void aDuplicateKeyExitsTwoNamingFileKeyAndLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("agent.yaml");
    Files.writeString(f, "group: line-1\ninstance: a\ncoordinators: [127.0.0.1:1]\n"
        + "nodeRed: {port: 1, userDir: x}\ngroup: other\n");
    assertThat(AgentMain.run("--config", f.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(f + ": group: is given twice (line 5)");
  }

  @Test
  void releaseUserDirListsWhatItRemovedAndRefusesAMissingFolder(@TempDir Path dir) throws Exception {
    Path userDir = dir.resolve("nr");
    io.tandem.agent.nodered.UserDirPreparer.prepare(new io.tandem.agent.nodered.UserDirLayout(userDir),
        "127.0.0.1", 1880, dir.resolve("agent.token"));
    assertThat(AgentMain.run("--release-userdir", userDir.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("removed " + userDir.resolve("tandem-settings.js"))
        .contains("removed \"runtimeFlowState\":\"stop\"")
        .contains("is ready for plain Node-RED");
    assertThat(AgentMain.run("--release-userdir", dir.resolve("missing").toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing is not a directory");
    assertThat(AgentMain.run("--release-userdir", userDir.toString(), "--config", "x.yaml")).isEqualTo(2);
  }

  @Test
  void installAttachFilesWritesTheModulesAndPrintsTheSettingsLines(@TempDir Path dir) throws Exception {
    assertThat(AgentMain.run("--install-attach-files", dir.toString())).isZero();
    assertThat(dir.resolve("tandem-attach.js")).exists();
    assertThat(dir.resolve("nodes").resolve("tandem-fence.js")).exists();
    assertThat(dir.resolve("tandem-context.js")).exists();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("require(\"./tandem-attach.js\")")
        .contains("context: { agentUrl: ");
  }
}

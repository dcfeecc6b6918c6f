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
}

package io.tandem.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The systemd units: the keys the install guide promises, and systemd's own check when it is there. */
class SystemdUnitsTest {
  private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");

  @ParameterizedTest
  @ValueSource(strings = {"tandem-coordinator", "tandem-agent"})
  void unitRunsTheLauncherAsTandemWithRestartAndGracefulStop(String name) throws IOException {
    Map<String, List<String>> service = section(DistPaths.src("systemd/" + name + ".service"), "Service");
    assertThat(service.get("User")).containsExactly("tandem");
    assertThat(service.get("ExecStart")).singleElement().asString()
        .startsWith("/opt/tandem/current/bin/" + name + " --config /etc/tandem/");
    assertThat(DistPaths.src("bin/" + name)).isExecutable();
    assertThat(service.get("Restart")).containsExactly("always");
    assertThat(service.get("KillSignal")).containsExactly("SIGTERM");
    assertThat(service.get("TimeoutStopSec")).singleElement().asString().matches("\\d+s");
    assertThat(service.get("NoNewPrivileges")).containsExactly("yes");
    assertThat(service.get("ProtectSystem")).containsExactly("strict");
    assertThat(service.get("PrivateTmp")).containsExactly("yes");
    // the data dir (and the agent's Node-RED userDir) stay writable under ProtectSystem=strict
    assertThat(service.get("StateDirectory")).singleElement().asString().startsWith("tandem");
    // the JVM and Node's V8 compile code at run time
    assertThat(service).doesNotContainKey("MemoryDenyWriteExecute");
  }

  @Test
  void agentUnitSignalsOnlyTheAgentSoItStopsNodeRedItself() throws IOException {
    Map<String, List<String>> service = section(DistPaths.src("systemd/tandem-agent.service"), "Service");
    assertThat(service.get("KillMode")).containsExactly("mixed");
  }

  @Test
  void systemdAnalyzeVerifyFindsNothingToComplainAbout(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE),
        "systemd-analyze is not installed (Debian package systemd): the unit files were checked by parsing only");
    List<String> cmd = new ArrayList<>(List.of(SYSTEMD_ANALYZE.toString(), "verify"));
    for (String name : List.of("tandem-coordinator", "tandem-agent")) {
      // verify checks that ExecStart exists: point it at the launchers in this source tree
      String unit = Files.readString(DistPaths.src("systemd/" + name + ".service"))
          .replace("/opt/tandem/current/", DistPaths.src("") + "/");
      Path copy = dir.resolve(name + ".service");
      Files.writeString(copy, unit);
      cmd.add(copy.toString());
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // systemd-analyze exits 0 on unknown keys and bad values, it only prints them: any output fails
    assertThat(out).as("systemd-analyze verify output").isBlank();
    assertThat(p.exitValue()).isZero();
  }

  /** Key -> values of one [section] of a unit file (comments, blank lines and other sections skipped). */
  static Map<String, List<String>> section(Path unit, String name) throws IOException {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    String current = null;
    for (String raw : Files.readAllLines(unit)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[")) {
        current = line.substring(1, line.indexOf(']'));
        continue;
      }
      int eq = line.indexOf('=');
      if (name.equals(current) && eq > 0) {
        keys.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>()).add(line.substring(eq + 1).strip());
      }
    }
    return keys;
  }
}

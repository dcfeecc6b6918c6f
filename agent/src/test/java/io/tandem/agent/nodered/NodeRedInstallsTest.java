package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.agent.config.AgentConfigLoader;
import io.tandem.common.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeRedInstallsTest {
  @TempDir Path dir;

  /** An npm prefix with node_modules/node-red of {@code version}, as bin/install-node-red makes. */
  private Path prefix(String name, String version) throws IOException {
    Path pkg = dir.resolve(name).resolve("node_modules/node-red");
    Files.createDirectories(pkg);
    Files.writeString(pkg.resolve("package.json"), "{\"name\":\"node-red\",\"version\":\"" + version + "\"}");
    Files.writeString(pkg.resolve("red.js"), "");
    return dir.resolve(name);
  }

  @Test
  void dirsGiveTheirVersionAndNamedOnesAreTakenAsConfigured() throws IOException {
    Path a = prefix("a", "4.1.8");
    Path b = prefix("b", "4.1.9");
    NodeRedInstalls listed = new NodeRedInstalls(Map.of(), List.of(a, b));
    StringBuilder why = new StringBuilder();
    assertThat(listed.find("4.1.9", why)).hasValueSatisfying(i ->
        assertThat(i.redJs()).isEqualTo(b.resolve("node_modules/node-red/red.js")));
    assertThat(listed.find("5.0.0", why)).isEmpty();
    assertThat(why.toString()).contains("has no Node-RED 5.0.0 install").contains("has: 4.1.8, 4.1.9");
    NodeRedInstalls named = new NodeRedInstalls(Map.of("next", b.resolve("node_modules/node-red")), List.of());
    assertThat(named.find("next", new StringBuilder())).isPresent();
  }

  @Test
  void theCommandKeepsItsNodeBinaryAndSwapsRedJs() throws IOException {
    Path b = prefix("b", "4.1.9");
    NodeRedInstalls.Install i = NodeRedInstalls.read(b).orElseThrow();
    String redJs = b.resolve("node_modules/node-red/red.js").toString();
    assertThat(NodeRedInstalls.commandFor(List.of("/opt/node22/bin/node", "/old/red.js", "--max-old-space-size=256"), i))
        .containsExactly("/opt/node22/bin/node", redJs, "--max-old-space-size=256");
    assertThat(NodeRedInstalls.commandFor(List.of(), i)).containsExactly("node", redJs);
    assertThat(NodeRedInstalls.commandFor(List.of("/usr/bin/node-red"), i)).containsExactly("node", redJs);
    assertThat(NodeRedInstalls.versionOf(List.of("node", redJs))).hasValue("4.1.9");
    assertThat(NodeRedInstalls.versionOf(List.of("node-red"))).isEmpty();
  }

  private String yaml(String installs) {
    return "group: g\ninstance: a\ncoordinators: [127.0.0.1:7101]\ntls: {insecure: true}\n"
        + "nodeRed:\n  userDir: " + dir.resolve("u") + "\n  port: 1880\n  installs: " + installs + "\n";
  }

  @Test
  void theConfigTakesAListOrAMappingAndNamesABadDir() throws Exception {
    Path a = prefix("a", "4.1.8");
    assertThat(AgentConfigLoader.parse(yaml("[" + a + "]"), "agent.yaml", dir).nodeRed().installs().dirs())
        .containsExactly(a);
    assertThat(AgentConfigLoader.parse(yaml("{4.1.8: " + a + "}"), "agent.yaml", dir).nodeRed().installs().named())
        .containsEntry("4.1.8", a);
    assertThat(AgentConfigLoader.parse(yaml("[a]"), "agent.yaml", dir).nodeRed().installs().dirs())
        .as("relative to the config file's dir").containsExactly(a);
    assertThatThrownBy(() -> AgentConfigLoader.parse(yaml("[" + a + ", " + dir.resolve("none") + "]"), "agent.yaml", dir))
        .isInstanceOf(ConfigException.class).hasMessageContaining("installs[1]")
        .hasMessageContaining("holds no node-red package");
  }
}

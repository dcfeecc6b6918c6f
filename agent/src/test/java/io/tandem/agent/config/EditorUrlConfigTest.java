package io.tandem.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.common.config.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** nodeRed.editorUrl: read and checked, with the default derived from the Node-RED address. */
class EditorUrlConfigTest {
  private static final String BASE = """
      group: g
      instance: a
      coordinators: [127.0.0.1:7400]
      tls: {insecure: true}
      nodeRed:
        userDir: data
        port: 1880
      """;

  private static AgentConfig parse(String yaml) throws ConfigException {
    return AgentConfigLoader.parse(yaml, "agent.yaml", Path.of("/etc/tandem"));
  }

  @Test
  void defaultsToTheAddressTheAgentUses() throws Exception {
    assertThat(parse(BASE).nodeRed().editorUrlOrDefault()).isEqualTo("http://127.0.0.1:1880/");
    assertThat(parse(BASE.replace("port: 1880", "port: 1880\n  host: 0.0.0.0")).nodeRed()
        .editorUrlOrDefault()).isEqualTo("http://127.0.0.1:1880/");
  }

  @Test
  void anEditorUrlIsTakenAsGiven() throws Exception {
    assertThat(parse(BASE + "  editorUrl: https://plc-a.example:1880/\n").nodeRed().editorUrlOrDefault())
        .isEqualTo("https://plc-a.example:1880/");
  }

  @Test
  void aMalformedOneNamesTheField() {
    assertThatThrownBy(() -> parse(BASE + "  editorUrl: plc-a:1880\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("agent.yaml: nodeRed.editorUrl: ");
  }
}

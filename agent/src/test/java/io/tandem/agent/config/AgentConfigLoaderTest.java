package io.tandem.agent.config;

import io.tandem.common.config.ConfigException;
import io.tandem.common.config.HostPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.agent.nodered.NodeRedSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigLoaderTest {
  private static final Path BASE = Path.of("/etc/tandem");
  private static final String MINIMAL = """
      group: line-1
      instance: plc-a
      coordinators: [127.0.0.1:7400, "127.0.0.1:7410"]
      nodeRed:
        userDir: data/node-red
        port: 1880
      """;

  /** Without a tls section of its own, the text gets tls: {insecure: true} (required since issue 12). */
  private static AgentConfig parse(String yaml) throws ConfigException {
    return AgentConfigLoader.parse(yaml.contains("tls:") || yaml.isBlank() ? yaml : yaml + "\ntls: {insecure: true}\n", "agent.yaml", BASE);
  }

  @Test
  void minimalFileGetsTheDocumentedDefaults() throws Exception {
    AgentConfig c = parse(MINIMAL);
    assertThat(c.group()).isEqualTo("line-1");
    assertThat(c.coordinators()).containsExactly("127.0.0.1:7400", "127.0.0.1:7410");
    assertThat(c.http()).isEqualTo(new HostPort("127.0.0.1", 7401));
    assertThat(c.lease()).isEqualTo(LeaseSettings.defaults());
    NodeRedSettings n = c.nodeRed();
    assertThat(n.mode()).isEqualTo(NodeRedSettings.Mode.LAUNCH);
    assertThat(n.userDir()).isEqualTo(Path.of("/etc/tandem/data/node-red"));
    assertThat(n.tokenFile()).isEqualTo(Path.of("/etc/tandem/data/node-red/tandem-agent.token"));
    assertThat(n.host()).isEqualTo("127.0.0.1");
    assertThat(n.probeInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(n.probeTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(n.probeMisses()).isEqualTo(3);
    assertThat(c.hooks().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.hooks().onActivate()).isEmpty();
  }

  @Test
  void everyFieldIsRead() throws Exception {
    AgentConfig c = parse("""
        group: g
        instance: b
        host: plc-b.local
        coordinators: 127.0.0.1:1
        http: 0.0.0.0:9000
        lease: {driftBound: 0.02, stopBudget: 150ms, renewInterval: 100ms, rpcTimeout: 1.5s}
        probe: {interval: 50ms, timeout: 1s, misses: 5}
        nodeRed:
          mode: launch
          command: node /opt/nr/red.js
          userDir: /var/lib/nr
          host: 0.0.0.0
          port: 1881
          args: [--verbose]
          env: {TZ: UTC}
          tokenFile: /etc/tandem/token
          restartBackoff: {min: 100ms, max: 1m}
          stopTimeout: 3s
        hooks: {onActivate: "logger up", onDeactivate: "logger down", timeout: 2s}
        """);
    assertThat(c.host()).isEqualTo("plc-b.local");
    assertThat(c.http()).isEqualTo(new HostPort("0.0.0.0", 9000));
    assertThat(c.lease()).isEqualTo(new LeaseSettings(0.02, Duration.ofMillis(150),
        Duration.ofMillis(100), Duration.ofMillis(1500)));
    NodeRedSettings n = c.nodeRed();
    assertThat(n.command()).containsExactly("node", "/opt/nr/red.js");
    assertThat(n.extraArgs()).containsExactly("--verbose");
    assertThat(n.env()).isEqualTo(Map.of("TZ", "UTC"));
    assertThat(n.port()).isEqualTo(1881);
    assertThat(n.probeMisses()).isEqualTo(5);
    assertThat(n.restartBackoffMax()).isEqualTo(Duration.ofMinutes(1));
    assertThat(n.stopTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.hooks()).isEqualTo(new HookSettings("logger up", "logger down",
        Duration.ofSeconds(2)));
  }

  @Test
  void attachModeNeedsUrlAndTokenFile() throws Exception {
    AgentConfig c = parse("""
        group: g
        instance: a
        coordinators: [127.0.0.1:7400]
        nodeRed: {mode: attach, url: "http://127.0.0.1:1880/", tokenFile: token}
        """);
    assertThat(c.nodeRed().mode()).isEqualTo(NodeRedSettings.Mode.ATTACH);
    assertThat(c.nodeRed().url()).isEqualTo(URI.create("http://127.0.0.1:1880/"));
    assertThat(c.nodeRed().tokenFile()).isEqualTo(Path.of("/etc/tandem/token"));
  }

  @Test
  void errorsNameTheFileAndTheField() {
    List<String[]> cases = List.of(
        new String[] {MINIMAL.replace("group: line-1", "group: line 1"), "agent.yaml: group: "},
        new String[] {MINIMAL.replace("instance: plc-a\n", ""), "agent.yaml: instance: is required"},
        new String[] {MINIMAL.replace("127.0.0.1:7400,", "nohost,"),
            "agent.yaml: coordinators[0]: \"nohost\" is not host:port"},
        new String[] {MINIMAL + "lease: {stopBudget: 300}\n",
            "agent.yaml: lease.stopBudget: \"300\" has no unit: write 300ms or 300s"},
        new String[] {MINIMAL + "lease: {driftBound: 0.7}\n", "agent.yaml: lease.driftBound: "},
        new String[] {MINIMAL + "probe: {misses: 0}\n", "agent.yaml: probe.misses: must be between"},
        new String[] {MINIMAL.replace("port: 1880", "port: 70000"),
            "agent.yaml: nodeRed.port: must be between 1 and 65535"},
        new String[] {MINIMAL.replace("  userDir: data/node-red\n", ""),
            "agent.yaml: nodeRed.userDir: is required in launch mode"},
        new String[] {MINIMAL.replace("port: 1880", "port: 1880\n  mode: spawn"),
            "agent.yaml: nodeRed.mode: must be launch"},
        new String[] {MINIMAL + "hooks: {onActivat: x}\n", "agent.yaml: hooks.onActivat: unknown field"},
        new String[] {MINIMAL + "htp: 1\n", "agent.yaml: htp: unknown field"},
        new String[] {MINIMAL + "learnCoordinators: yes please\n", "agent.yaml: learnCoordinators: must be true or false"},
        new String[] {MINIMAL + "http: localhost\n", "agent.yaml: http: \"localhost\" is not host:port"},
        new String[] {"group: [\n", "agent.yaml: not valid YAML"},
        new String[] {"", "agent.yaml: the file is empty"});
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(c[0])).as(c[1])
          .isInstanceOf(ConfigException.class).hasMessageStartingWith(c[1]);
    }
  }

  @Test
  void coordinatorsAreLearnedUnlessTurnedOff() throws Exception {
    assertThat(parse(MINIMAL).learnCoordinators()).isTrue();
    assertThat(parse(MINIMAL + "learnCoordinators: false\n").learnCoordinators()).isFalse();
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path f = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> AgentConfigLoader.load(f)).hasMessage(f + ": no such file");
  }

  @Test
  void loadsFromAFileWithPathsRelativeToIt(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("agent.yaml");
    Files.writeString(f, MINIMAL + "tls: {insecure: true}\n");
    assertThat(AgentConfigLoader.load(f).nodeRed().userDir())
        .isEqualTo(dir.resolve("data/node-red"));
  }

  @Test
  void stopTimeIsLeaseShortenedByDriftMinusStopBudget() {
    LeaseSettings l = LeaseSettings.defaults();
    assertThat(l.stopAtNanos(1_000_000_000L, 2000)).isEqualTo(1_000_000_000L + 1_680_000_000L);
  }

  @Test
  void theIssuesConfigMistakesAreRefusedNamingTheField() {
    List<String[]> cases = List.of(
        new String[] {MINIMAL + "group: other\n",
            "agent.yaml: group: is given twice (line 7); each key may appear once"},
        new String[] {MINIMAL + "lease: {stopBudget: -1s}\n",
            "agent.yaml: lease.stopBudget: must not be negative, got \"-1s\""},
        new String[] {MINIMAL + "lease: {rpcTimeout: 99999999999999999999ms}\n",
            "agent.yaml: lease.rpcTimeout: \"99999999999999999999ms\" is too large (at most 8760h)"},
        new String[] {MINIMAL + "lease: {renewInterval: 1500}\n",
            "agent.yaml: lease.renewInterval: \"1500\" has no unit: write 1500ms or 1500s"},
        new String[] {MINIMAL + "lease: {rpcTimeout: 61s}\n", "agent.yaml: lease.rpcTimeout: must be at most 60s"},
        new String[] {MINIMAL + "probe: {misses: 99999999999}\n",
            "agent.yaml: probe.misses: must be between 1 and 100, got 99999999999"});
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(c[0])).as(c[1])
          .isInstanceOf(ConfigException.class).hasMessageStartingWith(c[1]);
    }
  }

  @Test
  void decimalDurationsAreRead() throws Exception {
    assertThat(parse(MINIMAL + "lease: {rpcTimeout: 2.5s}\n").lease().rpcTimeout())
        .isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void contextSectionDefaultsAndValues() throws Exception {
    io.tandem.agent.config.ContextSettings d = parse(MINIMAL).context();
    assertThat(d.enabled()).isTrue();
    assertThat(d.isDefault()).isFalse();
    assertThat(d.flushInterval()).isEqualTo(java.time.Duration.ofMillis(50));
    assertThat(d.maxBatchOps()).isEqualTo(5000);
    io.tandem.agent.config.ContextSettings c = parse(MINIMAL
        + "context: {enabled: true, default: true, flushInterval: 20ms, maxBatchOps: 100}\n").context();
    assertThat(c.isDefault()).isTrue();
    assertThat(c.flushInterval()).isEqualTo(java.time.Duration.ofMillis(20));
    assertThat(c.maxBatchOps()).isEqualTo(100);
    assertThat(parse(MINIMAL + "context: {enabled: false}\n").context().enabled()).isFalse();
  }

  @Test
  void contextMistakesNameTheField() {
    String[][] cases = {
        {"context: {enabled: maybe}\n", "agent.yaml: context.enabled: must be true or false, got \"maybe\""},
        {"context: {flushInterval: 0ms}\n", "agent.yaml: context.flushInterval:"},
        {"context: {flushInterval: 11s}\n", "agent.yaml: context.flushInterval: must be at most 10s"},
        {"context: {maxBatchOps: 0}\n", "agent.yaml: context.maxBatchOps: must be between 1 and 100000, got 0"},
        {"context: {enabled: false, default: true}\n", "agent.yaml: context.default: is true but context.enabled is false"},
        {"context: {flush: 1s}\n", "agent.yaml: context.flush: unknown field"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(MINIMAL + c[0])).as(c[0])
          .isInstanceOf(ConfigException.class).hasMessageStartingWith(c[1]);
    }
  }

  @Test
  void aConfigWithoutTlsIsRefusedAndTlsFilesAreRead(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> AgentConfigLoader.parse(MINIMAL, "agent.yaml", BASE))
        .hasMessageContaining("agent.yaml: tls: is required").hasMessageContaining("tls: {insecure: true}");
    for (String f : new String[] {"ca.crt", "agent.crt", "agent.key"}) {
      Files.writeString(dir.resolve(f), "x");
    }
    AgentConfig c = AgentConfigLoader.parse(MINIMAL + "tls: {ca: ca.crt, cert: agent.crt, key: agent.key}\n", "agent.yaml", dir);
    assertThat(c.tls().ca()).isEqualTo(dir.resolve("ca.crt"));
    assertThatThrownBy(() -> AgentConfigLoader.parse(MINIMAL + "tls: {insecure: yes please}\n", "agent.yaml", dir))
        .hasMessageContaining("tls.insecure: must be true or false");
    assertThatThrownBy(() -> AgentConfigLoader.parse(MINIMAL + "tls: {insecure: true, ca: ca.crt}\n", "agent.yaml", dir))
        .hasMessageContaining("ca, cert and key would be ignored");
  }
}

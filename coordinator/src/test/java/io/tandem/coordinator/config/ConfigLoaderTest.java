package io.tandem.coordinator.config;

import io.tandem.common.config.ConfigException;
import io.tandem.common.config.HostPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private static final String PEERS = """
      peers:
        - {id: c1, raft: 127.0.0.1:7201, grpc: 127.0.0.1:7101}
        - {id: c2, raft: 127.0.0.1:7202, grpc: 127.0.0.1:7102}
        - {id: c3, raft: 127.0.0.1:7203, grpc: 127.0.0.1:7103}
      """;

  /** Without a tls section of its own, the text gets tls: {insecure: true} (required since issue 12). */
  private static CoordinatorConfig parse(String yaml) throws ConfigException {
    return ConfigLoader.parse("c.yaml", yaml.contains("tls:") ? yaml : yaml + "\ntls: {insecure: true}\n", null, null);
  }

  @Test
  void aMinimalFileGetsTheDocumentedDefaults() throws Exception {
    CoordinatorConfig c = parse("nodeId: c2\ndataDir: /tmp/x\n" + PEERS);
    assertThat(c.nodeId()).isEqualTo("c2");
    assertThat(c.clusterId()).isEqualTo("tandem");
    assertThat(c.self().grpc()).isEqualTo(new HostPort("127.0.0.1", 7102));
    assertThat(c.metricsAddress()).isEmpty();
    assertThat(c.lease()).isEqualTo(LeaseSettings.DEFAULTS);
    assertThat(c.lease().lease()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.switchoverTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.flows().keepRevisions()).isEqualTo(20);
    assertThat(c.context().maxValueBytes()).isEqualTo(1024 * 1024);
    assertThat(c.context().maxGroupBytes()).isEqualTo(32L * 1024 * 1024);
  }

  @Test
  void contextLimitsTakeSizesWithUnits() throws Exception {
    CoordinatorConfig c = parse("nodeId: c1\ndataDir: /x\n" + PEERS
        + "context: {maxValueBytes: 512KB, maxGroupBytes: 1.5MiB}\n");
    assertThat(c.context()).isEqualTo(new ContextSettings(512 * 1024, 1536 * 1024));
    assertThat(parse("nodeId: c1\ndataDir: /x\n" + PEERS + "context: {maxValueBytes: 4096}\n")
        .context().maxValueBytes()).isEqualTo(4096);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "context: {maxValueBytes: 1 parsec}|c.yaml: context.maxValueBytes: must be a size",
      "context: {maxValueBytes: 17MB}|c.yaml: context.maxValueBytes: must be between 1KB and 16MB, got \"17MB\"",
      "context: {maxGroupBytes: 64MB}|c.yaml: context.maxGroupBytes: must be between 1KB and 48MB",
      "context: {maxValueBytes: 2MB, maxGroupBytes: 1MB}|c.yaml: context.maxGroupBytes: must be at least maxValueBytes",
      "context: {maxBytes: 1MB}|maxBytes"})
  void badContextLimitsNameTheField(String yaml, String message) {
    assertThatThrownBy(() -> parse("nodeId: c1\ndataDir: /x\n" + PEERS + yaml + "\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining(message);
  }

  @Test
  void joinIsOffUnlessSet() throws Exception {
    assertThat(parse("nodeId: c1\ndataDir: /x\n" + PEERS).join()).isFalse();
    assertThat(parse("nodeId: c1\ndataDir: /x\n" + PEERS + "join: true\n").join()).isTrue();
    assertThatThrownBy(() -> parse("nodeId: c1\ndataDir: /x\n" + PEERS + "join: maybe\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("c.yaml: join: must be true or false");
  }

  @Test
  void flowsKeepRevisions() throws Exception {
    assertThat(parse("nodeId: c1\ndataDir: /x\n" + PEERS + "flows: {keepRevisions: 5}\n").flows().keepRevisions())
        .isEqualTo(5);
  }

  @Test
  void flagsOverrideTheFile() throws Exception {
    CoordinatorConfig c = ConfigLoader.parse("c.yaml", "nodeId: c2\ndataDir: /tmp/x\n" + PEERS + "tls: {insecure: true}\n", "c3", Path.of("/d"));
    assertThat(c.nodeId()).isEqualTo("c3");
    assertThat(c.dataDir()).isEqualTo(Path.of("/d"));
  }

  @Test
  void durationsAcceptUnits() throws Exception {
    CoordinatorConfig c = parse("nodeId: c1\ndataDir: /tmp/x\n" + PEERS
        + "lease: {duration: 3s, renewInterval: 500ms, standbyFreshness: 1.5s, tickInterval: 10ms}\n"
        + "metrics: 127.0.0.1:9100\n");
    assertThat(c.lease().lease()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.lease().standbyFreshness()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.metricsAddress()).contains(new HostPort("127.0.0.1", 9100));
    assertThat(c.lease().lockSettle()).as("locks.settle follows renewInterval").isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void locksSettleIsRead() throws Exception {
    CoordinatorConfig c = parse("nodeId: c1\ndataDir: /tmp/x\n" + PEERS + "locks: {settle: 1s}\n");
    assertThat(c.lease().lockSettle()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.lease().renewInterval()).isEqualTo(Duration.ofMillis(250));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "nodeId: c1\\ndataDir: /x\\npeers: []| peers:",
    "dataDir: /x\\nPEERS| nodeId: is required",
    "nodeId: c9\\ndataDir: /x\\nPEERS| nodeId: \"c9\" is not the id of any entry in peers",
    "nodeId: c1\\nPEERS| dataDir: is required",
    "nodeId: c1\\ndataDir: /x\\nPEERSlease: {duration: 2 hours}| lease.duration:",
    "nodeId: c1\\ndataDir: /x\\nPEERSlease: {duration: 600ms}| lease.renewInterval:",
    "nodeId: c1\\ndataDir: /x\\nPEERSleese: 1| leese: unknown field",
    "nodeId: c1\\ndataDir: /x\\nPEERSmetrics: nowhere| metrics: \"nowhere\" is not host:port",
    "nodeId: c1\\ndataDir: /x\\npeers:\\n  - {id: c1, raft: 127.0.0.1:70000, grpc: 127.0.0.1:1}| peers[0].raft:",
    "nodeId: c1\\ndataDir: /x\\npeers:\\n  - {id: c1, raft: a:1, grpc: a:1}| peers[0].grpc: a:1 is used twice",
    "nodeId: c1\\ndataDir: /x\\npeers:\\n  - {id: c1, raft: a:1, grpc: a:2}\\n  - {id: c1, raft: a:3, grpc: a:4}| peers[1].id: \"c1\" appears twice",
    "nodeId: [c1\\n| not valid YAML",
    "nodeId: c1\\ndataDir: /x\\nPEERSlease: {standbyFreshness: 1500}| lease.standbyFreshness: \"1500\" has no unit",
    "nodeId: c1\\ndataDir: /x\\nPEERSlease: {duration: -2s}| lease.duration: must not be negative",
    "nodeId: c1\\ndataDir: /x\\nPEERSswitchoverTimeout: 99999999999999999999ms| switchoverTimeout: \"99999999999999999999ms\" is too large",
    "nodeId: c1\\ndataDir: /x\\nPEERSnodeId: c2| nodeId: is given twice (line 7)",
    "nodeId: c1\\ndataDir: /x\\npeers:\\n  - {id: c1, raft: a:1, grpc: a:2, raft: a:3}| peers[0].raft: is given twice",
    "nodeId: c1\\ndataDir: /x\\nPEERSflows: {keepRevisions: 0}| flows.keepRevisions: must be between 1 and 1000, got 0",
    "nodeId: c1\\ndataDir: /x\\nPEERSflows: {keep: 3}| flows.keep: unknown field",
    "nodeId: c1\\ndataDir: /x\\nPEERSlocks: {settle: 3s}| locks.settle: must be at most lease.duration",
    "nodeId: c1\\ndataDir: /x\\nPEERSlocks: {ttl: 3s}| locks.ttl: unknown field",
  })
  void aBadFileIsRefusedWithAMessageNamingTheField(String yaml, String expected) {
    String text = yaml.replace("\\n", "\n").replace("PEERS", PEERS);
    assertThatThrownBy(() -> parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("c.yaml: ")
        .hasMessageContaining(expected.trim());
  }

  @Test
  void aConfigWithoutTlsIsRefusedWithWhatToSet() {
    assertThatThrownBy(() -> ConfigLoader.parse("c.yaml", "nodeId: c1\ndataDir: /x\n" + PEERS, null, null))
        .hasMessageContaining("c.yaml: tls: is required").hasMessageContaining("tls: {insecure: true}")
        .hasMessageContaining("tls: {ca: ca.crt, cert: NAME.crt, key: NAME.key}");
  }

  @Test
  void tlsFilesResolveAgainstTheConfigFolder(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    for (String f : new String[] {"ca.crt", "peer-c1.crt", "peer-c1.key"}) {
      java.nio.file.Files.writeString(dir.resolve(f), "x");
    }
    CoordinatorConfig c = ConfigLoader.parse("c.yaml", "nodeId: c1\ndataDir: /x\n" + PEERS
        + "tls: {ca: ca.crt, cert: peer-c1.crt, key: peer-c1.key}\n", null, null, dir);
    assertThat(c.tls().insecure()).isFalse();
    assertThat(c.tls().cert()).isEqualTo(dir.resolve("peer-c1.crt"));
    assertThatThrownBy(() -> ConfigLoader.parse("c.yaml", "nodeId: c1\ndataDir: /x\n" + PEERS
        + "tls: {ca: ca.crt, key: peer-c1.key}\n", null, null, dir))
        .hasMessageContaining("tls.cert: is required");
    assertThat(parse("nodeId: c1\ndataDir: /x\n" + PEERS + "tls: {insecure: true}\n").tls().insecure()).isTrue();
  }
}

package io.tandem.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.AgentConfig;
import io.tandem.agent.config.AgentConfigLoader;
import io.tandem.coordinator.config.ConfigLoader;
import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.coordinator.config.PeerConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tarball's conf/ examples load through the real config loaders and agree with each other. */
class ExampleConfigsTest {
  private static final Path COORDINATOR = DistPaths.src("conf/coordinator.yaml");
  private static final Path AGENT = DistPaths.src("conf/agent.yaml");

  @Test
  void coordinatorExampleIsValidForEachOfTheThreeHosts() throws Exception {
    CoordinatorConfig asIs = ConfigLoader.load(COORDINATOR, null, null);
    assertThat(asIs.nodeId()).isEqualTo("c1");
    assertThat(asIs.peers()).extracting(PeerConfig::id).containsExactly("c1", "c2", "c3");
    assertThat(asIs.metricsAddress()).isPresent();
    assertThat(asIs.dataDir()).isEqualTo(Path.of("/var/lib/tandem/coordinator"));
    assertThat(asIs.tls().insecure()).isFalse(); // shipped with mutual TLS on
    assertThat(asIs.tls().cert()).isEqualTo(Path.of("/etc/tandem/tls/peer-c1.crt"));
    for (String id : List.of("c1", "c2", "c3")) {
      // docs/install.md: the same file on every host, only nodeId differs (or --node-id)
      assertThat(ConfigLoader.load(COORDINATOR, id, null).nodeId()).isEqualTo(id);
    }
  }

  @Test
  void agentExampleIsValidAndDialsTheExampleCoordinators() throws Exception {
    AgentConfig agent = AgentConfigLoader.load(AGENT);
    CoordinatorConfig coordinators = ConfigLoader.load(COORDINATOR, null, null);
    assertThat(agent.group()).isEqualTo("line-1");
    assertThat(agent.instance()).isEqualTo("plc-a");
    assertThat(agent.tls().insecure()).isFalse();
    assertThat(agent.tls().cert()).isEqualTo(Path.of("/etc/tandem/tls/agent-line-1-plc-a.crt"));
    List<String> grpc = coordinators.peers().stream().map(p -> p.grpc().toString()).toList();
    assertThat(agent.coordinators()).containsExactlyElementsOf(grpc);
    // the userDir lies in the agent unit's StateDirectory (/var/lib/tandem), which it may write
    assertThat(agent.nodeRed().userDir()).startsWithRaw(Path.of("/var/lib/tandem"));
  }
}

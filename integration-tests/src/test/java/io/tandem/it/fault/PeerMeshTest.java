package io.tandem.it.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerMeshTest {
  @TempDir Path dir;

  @Test
  void eachPeerSeesItselfAtItsOwnAddressAndTheOthersThroughItsProxies() throws IOException {
    try (PeerMesh mesh = PeerMesh.create(List.of("c1", "c2", "c3"), dir)) {
      int p2 = mesh.realAddress("c2").getPort();
      assertThat(mesh.realAddress("c2")).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.2.2"), p2));
      assertThat(mesh.raftAddress("c2")).isEqualTo("c2:" + p2);
      assertThat(Files.readAllLines(mesh.hostsFile("c1")))
          .contains("127.0.1.1 c1", "127.0.1.2 c2", "127.0.1.3 c3")
          .anyMatch(l -> l.startsWith("127.0.0.1 localhost"));
      assertThat(Files.readAllLines(mesh.hostsFile("c3"))).contains("127.0.3.2 c2", "127.0.3.3 c3");
      TcpProxy link = mesh.link("c1", "c2");
      assertThat(link.address()).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.1.2"), p2));
      assertThat(link.target()).isEqualTo(mesh.realAddress("c2"));
      assertThat(mesh.proxies()).hasSize(6);
      assertThat(mesh.javaOption("c2")).isEqualTo("-Djdk.net.hosts.file=" + dir.resolve("hosts-c2"));
    }
  }

  @Test
  void isolateCutsEveryLinkOfThePeerAndHealRestoresThem() throws IOException {
    try (PeerMesh mesh = PeerMesh.create(List.of("c1", "c2", "c3"), dir)) {
      mesh.isolate("c2");
      assertThat(mesh.link("c1", "c2").mode()).isEqualTo(ProxyMode.PARTITION);
      assertThat(mesh.link("c2", "c3").mode()).isEqualTo(ProxyMode.PARTITION);
      assertThat(mesh.link("c1", "c3").mode()).isEqualTo(ProxyMode.PASS);
      mesh.cutOneWay("c1", "c3");
      assertThat(mesh.link("c1", "c3").mode()).isEqualTo(ProxyMode.ONE_WAY);
      assertThat(mesh.link("c3", "c1").mode()).isEqualTo(ProxyMode.ONE_WAY);
      mesh.heal();
      assertThat(mesh.proxies()).allMatch(p -> p.mode() == ProxyMode.PASS);
    }
  }

  @Test
  void rejectsIdsThatAreNotHostNames() {
    assertThatThrownBy(() -> PeerMesh.create(List.of("c1", "C_2"), dir)).hasMessageContaining("host name");
    assertThatThrownBy(() -> PeerMesh.create(List.of("c1"), dir)).hasMessageContaining("2 to 250");
  }
}

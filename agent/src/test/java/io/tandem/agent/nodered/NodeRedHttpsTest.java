package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.proto.agent.RuntimeState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's settings.js with https: with nodeRed.adminCa the agent talks HTTPS to the admin API and
 * trusts only that certificate (probe, start/stop, fencing token); without it, Node-RED refuses to
 * start with a sentence that names nodeRed.adminCa.
 */
class NodeRedHttpsTest {
  private static final Duration CALL = Duration.ofSeconds(10);
  @TempDir Path dir;
  private NodeRedRuntime runtime;

  @AfterEach
  void cleanUp() {
    if (runtime != null) {
      runtime.close();
    }
  }

  /** A self-signed certificate for 127.0.0.1 in a PKCS12 file (for Node-RED) and a PEM file (for the agent). */
  private Path[] certificate(String name) throws Exception {
    Path p12 = dir.resolve(name + ".p12");
    Path pem = dir.resolve(name + ".crt");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(keytool, "-genkeypair", "-alias", "nr", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=node-red",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
        "-storepass", "changeit");
    run(keytool, "-exportcert", "-rfc", "-alias", "nr", "-keystore", p12.toString(), "-storepass", "changeit",
        "-file", pem.toString());
    return new Path[] {p12, pem};
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
  }

  private Path userDirWithHttps(Path p12) throws IOException {
    Path userDir = dir.resolve("https");
    Files.createDirectories(userDir);
    Files.writeString(userDir.resolve("flows.json"), NodeRedFixture.PING_AND_TOKEN_FLOWS);
    Files.writeString(userDir.resolve("settings.js"), "const fs = require(\"fs\");\nmodule.exports = {\n"
        + "  flowFile: \"flows.json\",\n  https: { pfx: fs.readFileSync(" + "\"" + p12 + "\"), passphrase: \"changeit\" }\n};\n");
    return userDir;
  }

  @Test
  void withAdminCaTheAgentDrivesAnHttpsAdminApi() throws Exception {
    Path[] cert = certificate("nr");
    int port = NodeRedFixture.freePort();
    Path tokenFile = dir.resolve("agent.token");
    Path userDir = userDirWithHttps(cert[0]);
    runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(userDir, port, tokenFile).withAdminCa(cert[1]));
    NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(runtime);
    runtime.start();
    NodeRedFixture.awaitStandby(runtime, rec);
    assertThat(runtime.adminClient().baseUrl().toString()).isEqualTo("https://127.0.0.1:" + port + "/");

    runtime.setToken(4, CALL);
    runtime.startFlows(CALL);
    assertThat(runtime.status().state()).isEqualTo(RuntimeState.RUNTIME_RUNNING);
    HttpClient trusting = HttpClient.newBuilder().sslContext(AdminTls.trusting(cert[1])).build();
    HttpResponse<String> token = trusting.send(HttpRequest.newBuilder(
        URI.create("https://127.0.0.1:" + port + "/token")).timeout(CALL).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(token.body()).isEqualTo("4");
    runtime.stopFlows(CALL);
    assertThat(runtime.status().state()).isEqualTo(RuntimeState.RUNTIME_STANDBY);

    // a client that trusts another certificate is refused by the TLS handshake
    Path[] other = certificate("other");
    NodeRedAdminClient wrongTrust = new NodeRedAdminClient(URI.create("https://127.0.0.1:" + port + "/"),
        TokenFile.loadOrCreate(tokenFile), NodeRedAdminClient.TOKEN_HEADER, AdminTls.httpClient(other[1]));
    assertThatThrownBy(() -> wrongTrust.getFlowsState(CALL)).isInstanceOf(RuntimeControlException.class)
        .hasMessageContaining("SSLHandshakeException");
  }

  @Test
  void withoutAdminCaNodeRedRefusesToStartAndSaysWhy() throws Exception {
    Path[] cert = certificate("nr");
    int port = NodeRedFixture.freePort();
    Path userDir = userDirWithHttps(cert[0]);
    runtime = NodeRedRuntimes.create(NodeRedFixture.launchSettings(userDir, port, dir.resolve("agent.token")));
    runtime.start();
    Path log = userDir.resolve("tandem-node-red.log");
    String expected = "Tandem: settings.js enables https, but the agent's YAML has no nodeRed.adminCa";
    long deadline = System.nanoTime() + NodeRedFixture.BOOT.toNanos();
    while (!(Files.exists(log) && Files.readString(log).contains(expected))) {
      assertThat(System.nanoTime() - deadline).as("Node-RED's log says why it did not start").isNegative();
      Thread.sleep(50);
    }
    assertThat(runtime.status().state()).isIn(RuntimeState.RUNTIME_DOWN, RuntimeState.RUNTIME_STARTING);
  }

  @Test
  void anAdminCaFileWithoutCertificatesIsRefused() throws Exception {
    Path bad = dir.resolve("bad.crt");
    Files.writeString(bad, "not a certificate\n");
    assertThatThrownBy(() -> AdminTls.trusting(bad)).isInstanceOf(IOException.class).hasMessageContaining(bad.toString());
    assertThatThrownBy(() -> AdminTls.trusting(dir.resolve("missing.crt"))).hasMessageContaining("no such file");
  }

  @Test
  void theAgentYamlReadsNodeRedAdminCaAndRefusesABadOne() throws Exception {
    Path[] cert = certificate("nr");
    String head = "group: g\ninstance: a\ncoordinators: 127.0.0.1:7400\ntls: {insecure: true}\n"
        + "nodeRed:\n  userDir: ud\n  port: 1880\n";
    var c = io.tandem.agent.config.AgentConfigLoader.parse(head + "  adminCa: nr.crt\n", "agent.yaml", dir);
    assertThat(c.nodeRed().adminCa()).isEqualTo(cert[1]);
    Files.writeString(dir.resolve("bad.crt"), "not a certificate\n");
    assertThatThrownBy(() -> io.tandem.agent.config.AgentConfigLoader.parse(head + "  adminCa: bad.crt\n",
        "agent.yaml", dir)).hasMessageContaining("nodeRed.adminCa").hasMessageContaining("bad.crt");
  }
}

package io.tandem.agent;

import io.tandem.agent.config.AgentConfigLoader;
import io.tandem.common.cds.TrainingRun;
import io.tandem.common.tls.CertificateAuthority;
import io.tandem.common.tls.HandshakeListener;
import io.tandem.common.tls.Identity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The training run of the agent's class-data archive (dist/src/bin/cds.sh runs it once per JDK and
 * build with {@code -XX:ArchiveClassesAtExit}; docs/install.md, "Start-up time"): the real agent,
 * in attach mode towards a closed loopback port (no Node-RED is started), whose coordinator is a
 * throw-away TLS listener of this JVM that completes the heartbeats' handshakes and closes; its
 * local API is asked for /status, /active and /metrics. So the archive holds the classes of the
 * config, the gRPC client with its TLS handshake, the probe, the local API and the metrics. It
 * never talks to any other process. Exit code 0 when the agent ran and the listener saw a
 * handshake, else 1 (no archive is kept).
 *
 * <p>Argument: the pid of the agent whose launcher started this run (optional): when that process
 * ends, so does this run, at once and without an archive.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    System.exit(TrainingRun.run(args, "tandem-agent-cds-", CdsTraining::train));
  }

  static boolean train(Path dir) throws Exception {
    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.create("tandem agent cds training", now, 1);
    ca.writeTo(dir);
    ca.issue(Identity.peer("c1"), List.of("localhost"), List.of("127.0.0.1"), now, 1).writeTo(dir, "peer");
    ca.issue(Identity.agent("cds", "a"), List.of(), List.of(), now, 1).writeTo(dir, "agent");
    int http = freePort();
    int nodeRed = freePort();
    Path caCert = dir.resolve(CertificateAuthority.CA_CERT);
    try (HandshakeListener coordinator = new HandshakeListener(caCert, dir.resolve("peer.crt"),
        dir.resolve("peer.key"), 3)) {
      Path yaml = dir.resolve("agent.yaml");
      Files.writeString(yaml, "group: cds\ninstance: a\ncoordinators: [127.0.0.1:" + coordinator.port() + "]\n"
          + "http: 127.0.0.1:" + http + "\n"
          + "tls: {ca: \"" + caCert + "\", cert: \"" + dir.resolve("agent.crt") + "\", key: \""
          + dir.resolve("agent.key") + "\"}\n"
          + "nodeRed: {mode: attach, url: \"http://127.0.0.1:" + nodeRed + "/\", tokenFile: \""
          + dir.resolve("token") + "\"}\n");
      Agent agent = new Agent(AgentConfigLoader.load(yaml));
      try {
        agent.start();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (coordinator.handshakes() == 0 && System.nanoTime() < end) {
          Thread.sleep(100);
        }
        for (String path : List.of("/status", "/active", "/metrics")) {
          client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + path))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        }
      } finally {
        agent.close();
      }
      return coordinator.handshakes() > 0;
    }
  }

  /** A free loopback port (one taken in between makes the run fail: no archive, no harm). */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

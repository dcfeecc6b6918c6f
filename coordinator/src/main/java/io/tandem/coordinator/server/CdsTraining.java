package io.tandem.coordinator.server;

import io.tandem.client.CoordinatorEndpoints;
import io.tandem.common.cds.TrainingRun;
import io.tandem.common.config.ConfigException;
import io.tandem.common.tls.CertificateAuthority;
import io.tandem.common.tls.Identity;
import io.tandem.common.tls.TlsSettings;
import io.tandem.coordinator.config.ConfigLoader;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.InstanceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run of the coordinator's class-data archive (dist/src/bin/server-cds.sh runs it once
 * per JDK and build with {@code -XX:ArchiveClassesAtExit}; docs/install.md, "Start-up time"): a
 * throw-away three-node cluster in this JVM, on free loopback ports, with mutual TLS (certificates
 * of a throw-away CA in a temporary folder), that elects a leader, then takes one admin call, one
 * group creation and one agent heartbeat, and stops. So the archive holds the classes a real
 * coordinator loads to start, elect, replicate and serve both services: YAML, Ratis, both gRPC
 * copies (Ratis' own and the services'), Netty, protobuf and the TLS handshakes. It never talks to
 * any other process. Exit code 0 when the cluster served the calls, else 1 (the launcher then keeps
 * no archive and starts as without one).
 *
 * <p>Argument: the pid of the coordinator whose launcher started this run (optional). When that
 * process ends, so does this run, at once and without an archive: a training never outlives its
 * server.
 */
public final class CdsTraining {
  private static final List<String> IDS = List.of("c1", "c2", "c3");
  private static final long DEADLINE_MILLIS = 30_000;

  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty(CoordinatorMain.COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(CoordinatorMain.COMMON_POOL_PARALLELISM, "8");
    }
    System.exit(TrainingRun.run(args, "tandem-coordinator-cds-", CdsTraining::train));
  }

  /** Runs the cluster and the calls; true when every call was answered. */
  static boolean train(Path dir) throws IOException, ConfigException, InterruptedException {
    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.create("tandem cds training", now, 1);
    ca.writeTo(dir);
    for (String id : IDS) {
      ca.issue(Identity.peer(id), List.of("localhost"), List.of("127.0.0.1"), now, 1).writeTo(dir, id);
    }
    ca.issue(Identity.admin("cds"), List.of(), List.of(), now, 1).writeTo(dir, "admin");
    ca.issue(Identity.agent("cds", "a"), List.of(), List.of(), now, 1).writeTo(dir, "agent");
    int[] ports = freePorts(IDS.size() * 2);
    List<CoordinatorServer> servers = new ArrayList<>();
    try {
      for (String id : IDS) {
        Path yaml = writeConfig(dir, id, ports);
        CoordinatorServer s = new CoordinatorServer(ConfigLoader.load(yaml, null, null));
        servers.add(s);
        s.start();
      }
      String grpc = "127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[3] + ",127.0.0.1:" + ports[5];
      return awaitLeader(servers) && calls(dir, grpc);
    } finally {
      servers.forEach(CoordinatorServer::close);
    }
  }

  private static boolean awaitLeader(List<CoordinatorServer> servers) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
    while (System.nanoTime() < end) {
      if (servers.stream().anyMatch(s -> s.raft().isLeaderReady())) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  private static boolean calls(Path dir, String grpc) {
    TlsSettings admin = TlsSettings.files(dir.resolve(CertificateAuthority.CA_CERT), dir.resolve("admin.crt"),
        dir.resolve("admin.key"));
    TlsSettings agent = TlsSettings.files(dir.resolve(CertificateAuthority.CA_CERT), dir.resolve("agent.crt"),
        dir.resolve("agent.key"));
    try (CoordinatorEndpoints a = CoordinatorEndpoints.parse(grpc, admin);
        CoordinatorEndpoints g = CoordinatorEndpoints.parse(grpc, agent)) {
      a.call(ch -> AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
          .clusterStatus(ClusterStatusRequest.getDefaultInstance()), 6);
      a.call(ch -> AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
          .createGroup(CreateGroupRequest.newBuilder().setRequestId("cds-training").setGroup("cds")
              .addInstances(InstanceSpec.newBuilder().setId("a")).build()), 6);
      g.call(ch -> AgentServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
          .heartbeat(HeartbeatRequest.newBuilder().setGroup("cds").setInstance("a")
              .setRuntime(RuntimeState.RUNTIME_STANDBY).build()), 6);
      return true;
    } catch (RuntimeException e) {
      System.err.println("cds training: " + e);
      return false;
    }
  }

  private static Path writeConfig(Path dir, String id, int[] ports) throws IOException {
    StringBuilder y = new StringBuilder("nodeId: ").append(id).append("\ndataDir: \"")
        .append(dir.resolve(id + "-data")).append("\"\npeers:\n");
    for (int i = 0; i < IDS.size(); i++) {
      y.append("  - {id: ").append(IDS.get(i)).append(", raft: 127.0.0.1:").append(ports[2 * i])
          .append(", grpc: 127.0.0.1:").append(ports[2 * i + 1]).append("}\n");
    }
    y.append("tls: {ca: \"").append(dir.resolve(CertificateAuthority.CA_CERT)).append("\", cert: \"")
        .append(dir.resolve(id + ".crt")).append("\", key: \"").append(dir.resolve(id + ".key")).append("\"}\n");
    Path file = dir.resolve(id + ".yaml");
    Files.writeString(file, y);
    return file;
  }

  /** Free loopback ports (a port taken in between makes a start fail: no archive, no harm). */
  private static int[] freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a probe socket
        }
      }
    }
  }
}

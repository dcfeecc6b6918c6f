package io.tandem.coordinator.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.tandem.common.config.HostPort;
import io.tandem.common.tls.CertificateAuthority;
import io.tandem.common.tls.Identity;
import io.tandem.common.tls.Pem;
import io.tandem.common.tls.TlsException;
import io.tandem.common.tls.TlsSettings;
import io.tandem.coordinator.server.CoordinatorServer;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.DeleteGroupRequest;
import io.tandem.proto.admin.ListGroupsRequest;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.tls.GrpcTls;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS and roles on a real three-coordinator cluster (real Ratis over TLS, real gRPC):
 * clients without a certificate, with another CA's, with an expired one, and plaintext clients are
 * refused on AgentService, AdminService and the Raft port; each role may do only its part; a
 * rotated certificate is used by new connections without a failover.
 */
class MutualTlsTest {
  private static Path dir;
  private static Path otherDir;
  private static MiniCluster cluster;
  private static final List<ManagedChannel> CHANNELS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("tandem-tls-");
    otherDir = Files.createTempDirectory("tandem-tls-other-");
    CertificateAuthority.create("Test CA", Instant.now(), 10).writeTo(dir);
    CertificateAuthority ca = CertificateAuthority.load(dir);
    Instant now = Instant.now();
    for (Identity id : List.of(Identity.admin("ops"), Identity.viewer("screen"), Identity.agent("g", "a"),
        Identity.agent("g", "b"))) {
      ca.issue(id, List.of(), List.of(), now, 1).writeTo(dir, id.fileStem());
    }
    ca.issue(Identity.admin("old"), List.of(), List.of(), now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)))
        .writeTo(dir, "admin-old");
    CertificateAuthority.create("Other CA", now, 10).writeTo(otherDir);
    CertificateAuthority other = CertificateAuthority.load(otherDir);
    other.issue(Identity.admin("ops"), List.of(), List.of(), now, 1).writeTo(otherDir, "admin-ops");
    other.issue(Identity.peer("c1"), List.of("localhost"), List.of("127.0.0.1"), now, 1).writeTo(otherDir, "peer-c1");
    cluster = MiniCluster.builder().size(3).longLeases().metrics(true).tls(dir).start();
    cluster.waitForLeader(Duration.ofSeconds(60));
    ManagedChannel ch = channel(leaderAddress(), client("admin-ops"));
    String requestId = UUID.randomUUID().toString(); // a retried create is applied once
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
        admin(ch).createGroup(CreateGroupRequest.newBuilder().setRequestId(requestId)
            .setGroup("g").addInstances(InstanceSpec.newBuilder().setId("a").setPriority(10))
            .addInstances(InstanceSpec.newBuilder().setId("b").setPriority(5)).build()) != null);
  }

  @AfterAll
  static void stop() {
    CHANNELS.forEach(ManagedChannel::shutdownNow);
    if (cluster != null) {
      cluster.close();
    }
  }

  // ---- clients ---------------------------------------------------------------------------------

  private static TlsSettings files(Path in, String stem) {
    return TlsSettings.files(dir.resolve("ca.crt"), in.resolve(stem + ".crt"), in.resolve(stem + ".key"));
  }

  /** The real client context: our CA, our certificate, server must be a peer. */
  private static SslContext client(String stem) {
    return GrpcTls.client(files(dir, stem));
  }

  /** A client that trusts any server, so what is refused is the server's choice. */
  private static SslContext anyServer(Path certDir, String stem) throws Exception {
    SslContextBuilder b = GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE);
    if (stem != null) {
      b.keyManager(certDir.resolve(stem + ".crt").toFile(), certDir.resolve(stem + ".key").toFile());
    }
    return b.build();
  }

  private static ManagedChannel channel(String address, SslContext ssl) {
    NettyChannelBuilder b = NettyChannelBuilder.forTarget(address);
    ManagedChannel ch = (ssl == null ? b.usePlaintext() : b.sslContext(ssl)).build();
    CHANNELS.add(ch);
    return ch;
  }

  private static AdminServiceGrpc.AdminServiceBlockingStub admin(ManagedChannel ch) {
    return AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private static AgentServiceGrpc.AgentServiceBlockingStub agent(ManagedChannel ch) {
    return AgentServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private static String leaderAddress() {
    return cluster.grpcAddress(cluster.waitForLeader(Duration.ofSeconds(30)));
  }

  private static Status failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
    throw new AssertionError("the call succeeded");
  }

  private static HeartbeatRequest heartbeat(String group, String instance) {
    return HeartbeatRequest.newBuilder().setGroup(group).setInstance(instance)
        .setRuntime(io.tandem.proto.agent.RuntimeState.RUNTIME_DOWN).build();
  }

  // ---- refused at the handshake ----------------------------------------------------------------

  @Test
  void clientsWithoutAGoodCertificateAreRefusedOnEveryPort() throws Exception {
    String grpc = leaderAddress();
    List<String> kinds = List.of("no certificate", "another CA", "expired", "plaintext");
    List<SslContext> contexts = new ArrayList<>();
    contexts.add(anyServer(dir, null));
    contexts.add(anyServer(otherDir, "admin-ops"));
    contexts.add(anyServer(dir, "admin-old"));
    contexts.add(null);
    for (int i = 0; i < kinds.size(); i++) {
      ManagedChannel ch = channel(grpc, contexts.get(i));
      Status admin = failure(() -> admin(ch).listGroups(ListGroupsRequest.getDefaultInstance()));
      Status agentCall = failure(() -> agent(ch).heartbeat(heartbeat("g", "a")));
      assertThat(admin.getCode()).as(kinds.get(i) + " on AdminService: " + admin).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(agentCall.getCode()).as(kinds.get(i) + " on AgentService: " + agentCall).isEqualTo(Status.Code.UNAVAILABLE);
    }
    // the Raft port: only a peer certificate of our CA gets an HTTP/2 answer
    HostPort raft = cluster.config(0).self().raft();
    assertThat(raftAnswers(raft, dir, "peer-c2")).as("a peer of our CA (control)").isTrue();
    assertThat(raftAnswers(raft, null, null)).as("no certificate").isFalse();
    assertThat(raftAnswers(raft, otherDir, "peer-c1")).as("a peer certificate of another CA").isFalse();
    assertThat(raftAnswers(raft, dir, "admin-old")).as("expired").isFalse();
    assertThat(raftAnswers(raft, dir, "admin-ops")).as("an admin certificate (not a peer)").isFalse();
    assertThat(raftAnswers(raft, dir, "agent-g-a")).as("an agent certificate").isFalse();
    assertThat(plaintextRaftAnswers(raft)).as("plaintext").isFalse();
    // nothing changed
    try (var ok = io.tandem.client.CoordinatorEndpoints.parse(cluster.grpcAddresses(), files(dir, "admin-ops"))) {
      assertThat(ok.call(ch -> admin(ch).listGroups(ListGroupsRequest.getDefaultInstance()), 6).getGroupsCount()).isEqualTo(1);
    }
  }

  /** A TLS connection to the Raft port with ALPN h2: true if the server sends HTTP/2 bytes. */
  private static boolean raftAnswers(HostPort raft, Path certDir, String stem) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    KeyManagerFactory kmf = null;
    if (stem != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("k", Pem.privateKey(certDir.resolve(stem + ".key")), new char[0],
          Pem.certificates(certDir.resolve(stem + ".crt")).toArray(X509Certificate[]::new));
      kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, new char[0]);
    }
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
      s.connect(new InetSocketAddress(raft.host(), raft.port()), 5000);
      s.setSoTimeout(5000);
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
      s.getOutputStream().flush();
      return s.getInputStream().read() >= 0;
    } catch (java.io.IOException e) {
      return false; // alert, reset, or timeout
    }
  }

  private static boolean plaintextRaftAnswers(HostPort raft) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(raft.host(), raft.port()), 5000);
      s.setSoTimeout(5000);
      s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      int first = in.read();
      // An HTTP/2 server answers with a SETTINGS frame (type 4 at byte 3); a TLS server with
      // nothing or a TLS alert record (0x15).
      if (first < 0 || first == 0x15) {
        return false;
      }
      byte[] rest = in.readNBytes(3);
      return rest.length == 3 && rest[2] == 4;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  // ---- roles ---------------------------------------------------------------------------------

  @Test
  void anAgentCertificateCannotSwitchOverCreateOrDelete() {
    String leader = leaderAddress();
    int li = cluster.waitForLeader(Duration.ofSeconds(30));
    ManagedChannel ch = channel(leader, client("agent-g-a"));
    double before = cluster.server(li).metrics().authRefusals("permission_denied", "tandem.admin.AdminService/CreateGroup");
    Status create = failure(() -> admin(ch).createGroup(CreateGroupRequest.newBuilder()
        .setRequestId(UUID.randomUUID().toString()).setGroup("evil")
        .addInstances(InstanceSpec.newBuilder().setId("x")).build()));
    Status delete = failure(() -> admin(ch).deleteGroup(DeleteGroupRequest.newBuilder()
        .setRequestId(UUID.randomUUID().toString()).setGroup("g").build()));
    Status switchover = failure(() -> admin(ch).switchover(SwitchoverRequest.newBuilder()
        .setRequestId(UUID.randomUUID().toString()).setGroup("g").build()));
    for (Status s : List.of(create, delete, switchover)) {
      assertThat(s.getCode()).as(s.toString()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription()).contains("tandem:agent:g/a", "tandem.admin.AdminService/");
    }
    assertThat(create.getDescription()).contains("CreateGroup");
    assertThat(cluster.server(li).metrics().authRefusals("permission_denied", "tandem.admin.AdminService/CreateGroup"))
        .isEqualTo(before + 1);
    assertThat(cluster.server(li).metrics().scrape())
        .contains("tandem_auth_refusals_total{method=\"tandem.admin.AdminService/CreateGroup\",reason=\"permission_denied\"}");
    ManagedChannel ops = channel(leader, client("admin-ops"));
    assertThat(admin(ops).listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList())
        .extracting(g -> g.getName()).containsExactly("g"); // not created, not deleted
  }

  @Test
  void anAgentSpeaksOnlyForItsOwnGroupAndInstance() {
    ManagedChannel ch = channel(leaderAddress(), client("agent-g-a"));
    Status asB = failure(() -> agent(ch).heartbeat(heartbeat("g", "b")));
    assertThat(asB.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(asB.getDescription()).contains("tandem:agent:g/a", "Heartbeat", "group \"g\" instance \"b\"");
    Status otherGroup = failure(() -> agent(ch).heartbeat(heartbeat("h", "a")));
    assertThat(otherGroup.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(otherGroup.getDescription()).contains("group \"h\" instance \"a\"");
    Status watch = failure(() -> agent(ch).watchGroup(io.tandem.proto.agent.WatchGroupRequest.newBuilder()
        .setGroup("g").setInstance("b").build()).hasNext());
    assertThat(watch.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    // its own heartbeat is answered (b's heartbeat, from b's certificate, too)
    assertThat(agent(ch).heartbeat(heartbeat("g", "a"))).isNotNull();
    assertThat(agent(channel(leaderAddress(), client("agent-g-b"))).heartbeat(heartbeat("g", "b"))).isNotNull();
  }

  @Test
  void aViewerReadsButCannotWrite() {
    ManagedChannel ch = channel(leaderAddress(), client("viewer-screen"));
    ClusterStatusResponse s = admin(ch).clusterStatus(ClusterStatusRequest.getDefaultInstance());
    assertThat(s.getLeaderId()).isNotEmpty();
    assertThat(s.getInsecure()).isFalse();
    Status create = failure(() -> admin(ch).createGroup(CreateGroupRequest.newBuilder()
        .setRequestId(UUID.randomUUID().toString()).setGroup("v").addInstances(InstanceSpec.newBuilder().setId("x")).build()));
    assertThat(create.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(create.getDescription()).contains("tandem:viewer:screen", "CreateGroup");
    Status hb = failure(() -> agent(ch).heartbeat(heartbeat("g", "a")));
    assertThat(hb.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    Status peer = failure(() -> admin(channel(leaderAddress(), client("peer-c2"))).listGroups(ListGroupsRequest.getDefaultInstance()));
    assertThat(peer.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(peer.getDescription()).contains("tandem:peer:c2", "Raft traffic only");
  }

  // ---- rotation ------------------------------------------------------------------------------

  @Test
  void aReplacedCertificateIsUsedByNewConnectionsWithoutAFailover() throws Exception {
    int li = cluster.waitForLeader(Duration.ofSeconds(30));
    String leaderId = cluster.server(li).config().nodeId();
    long term = cluster.server(li).raft().term();
    String address = cluster.grpcAddress(li);
    BigInteger before = serialOf(address);
    ManagedChannel old = channel(address, client("admin-ops"));
    admin(old).clusterStatus(ClusterStatusRequest.getDefaultInstance()); // connected before the rotation

    X509Certificate fresh = CertificateAuthority.load(dir).issue(Identity.peer(leaderId), List.of("localhost"),
        List.of("127.0.0.1"), Instant.now(), 1).writeTo(dir, "rotated-" + leaderId) == null ? null
        : Pem.certificates(dir.resolve("rotated-" + leaderId + ".crt")).get(0);
    // replace the files in place, key first (a handshake in between keeps the old, matching pair)
    Files.copy(dir.resolve("rotated-" + leaderId + ".key"), dir.resolve("peer-" + leaderId + ".key"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(dir.resolve("rotated-" + leaderId + ".crt"), dir.resolve("peer-" + leaderId + ".crt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(fresh.getSerialNumber()).isNotEqualTo(before);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> serialOf(address).equals(fresh.getSerialNumber()));
    // the old connection still works, and nobody lost the leadership
    assertThat(admin(old).clusterStatus(ClusterStatusRequest.getDefaultInstance()).getLeaderId()).isEqualTo(leaderId);
    ManagedChannel fresh2 = channel(address, client("admin-ops"));
    ClusterStatusResponse s = admin(fresh2).clusterStatus(ClusterStatusRequest.getDefaultInstance());
    assertThat(s.getLeaderId()).isEqualTo(leaderId);
    assertThat(s.getTerm()).isEqualTo(term);
  }

  /** The serial of the certificate a new TLS connection to {@code address} is shown. */
  private static BigInteger serialOf(String address) throws Exception {
    HostPort hp = HostPort.parse(address);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", Pem.certificates(dir.resolve("ca.crt")).get(0));
    tmf.init(ks);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("k", Pem.privateKey(dir.resolve("admin-ops.key")), new char[0],
        Pem.certificates(dir.resolve("admin-ops.crt")).toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(keys, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(hp.host(), hp.port())) {
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  // ---- own certificate at start ----------------------------------------------------------------

  @Test
  void aCoordinatorWithAnExpiredCertificateDoesNotStartAndSaysWhy() throws Exception {
    Path expired = Files.createTempDirectory("tandem-tls-expired-");
    Instant to = Instant.now().minus(Duration.ofDays(1));
    CertificateAuthority.load(dir).issue(Identity.peer("c1"), List.of("localhost"), List.of("127.0.0.1"),
        to.minus(Duration.ofDays(2)), to).writeTo(expired, "peer-c1");
    var cfg = cluster.config(0).withTls(TlsSettings.files(dir.resolve("ca.crt"), expired.resolve("peer-c1.crt"),
        expired.resolve("peer-c1.key")));
    assertThatThrownBy(() -> new CoordinatorServer(cfg).close())
        .isInstanceOf(TlsException.class)
        .hasMessageContaining(expired.resolve("peer-c1.crt").toString())
        .hasMessageContaining("expired on " + to.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }
}

package io.tandem.coordinator.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.common.time.StopTimes;
import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.common.config.HostPort;
import io.tandem.coordinator.auth.AuthInterceptor;
import io.tandem.coordinator.auth.RefusalLogger;
import io.tandem.coordinator.grpc.AdminServiceImpl;
import io.tandem.coordinator.grpc.FlowsRequests;
import io.tandem.coordinator.grpc.AgentServiceImpl;
import io.tandem.coordinator.grpc.Errors;
import io.tandem.coordinator.grpc.ServiceContext;
import io.tandem.coordinator.grpc.WatchHub;
import io.tandem.coordinator.lease.LeaseKeeper;
import io.tandem.coordinator.metrics.CoordinatorMetrics;
import io.tandem.coordinator.metrics.MetricsHttpServer;
import io.tandem.coordinator.ratis.NotLeader;
import io.tandem.coordinator.ratis.TandemStateMachine;
import io.tandem.coordinator.ratis.RaftNode;
import io.tandem.tls.GrpcTls;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running coordinator: its Raft server, the leader-only lease keeper and ticker, the gRPC
 * services (agents and operators) and, if configured, the metrics endpoint.
 */
public final class CoordinatorServer implements AutoCloseable {
  /**
   * The largest request AgentService and AdminService accept: a deploy or import of 16 MB of flows and
   * credentials ({@link FlowsRequests#MAX_FLOWS_BYTES}, refused above that with INVALID_ARGUMENT and the
   * sizes) plus its other fields, with room. A larger message is refused by gRPC with RESOURCE_EXHAUSTED
   * before it is parsed. (Replies may be larger: clients accept {@link CoordinatorEndpoints#MAX_MESSAGE_BYTES}.)
   */
  public static final int MAX_REQUEST_BYTES = FlowsRequests.MAX_FLOWS_BYTES + 8 * 1024 * 1024;
  /** The largest request metadata (headers): gRPC's default of 8 KiB, set explicitly. */
  public static final int MAX_METADATA_BYTES = 8 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorServer.class);

  private final CoordinatorConfig config;
  private final LongSupplier nanos;
  private final RaftNode raft;
  private final LeaseKeeper keeper;
  private final CoordinatorMetrics metrics;
  private final LeaderTicker ticker;
  private final WatchHub watch;
  private final Errors errors;
  private final Server grpc;
  private final GrpcExecutor grpcExecutor;
  private MetricsHttpServer metricsHttp;
  private volatile boolean closed;
  private final io.tandem.coordinator.grpc.Restarts restarts;

  /** A coordinator on the system clocks. */
  public CoordinatorServer(CoordinatorConfig config) throws IOException {
    this(config, System::nanoTime);
  }

  /** {@code nanos}: the monotonic clock of leases (injected by tests). */
  public CoordinatorServer(CoordinatorConfig config, LongSupplier nanos) throws IOException {
    this.config = config;
    this.nanos = nanos;
    this.raft = new RaftNode(config);
    this.keeper = new LeaseKeeper(config.lease());
    this.metrics = new CoordinatorMetrics(raft, keeper, nanos);
    this.ticker = new LeaderTicker(raft, keeper, metrics, nanos, System::currentTimeMillis,
        config.lease().tickInterval());
    this.watch = new WatchHub(raft.stateMachine(), keeper, nanos);
    this.errors = new Errors(id -> {
      try {
        return raft.member(id).or(() -> config.peer(id));
      } catch (RuntimeException e) {
        return config.peer(id); // Raft not started or closing
      }
    });
    io.tandem.coordinator.grpc.Restarts restarts = new io.tandem.coordinator.grpc.Restarts();
    this.restarts = restarts;
    ServiceContext ctx = new ServiceContext(raft, keeper, watch, errors, nanos,
        System::currentTimeMillis, ticker::kick, metrics::heartbeat, config.switchoverTimeout(), metrics,
        restarts);
    AdminServiceImpl admin = new AdminServiceImpl(ctx);
    raft.stateMachine().addAppliedListener(watch);
    raft.stateMachine().addAppliedListener(admin.switchoverListener());
    raft.stateMachine().addLeadershipListener(new Leadership());
    this.grpcExecutor = new GrpcExecutor(keeper.health(), nanos);
    HostPort at = config.self().grpc();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(at.host(), at.port()));
    AgentServiceImpl agents =
        new AgentServiceImpl(ctx, AgentServiceImpl.DEFAULT_MAX_PENDING_HEARTBEATS, config.lease().renewInterval());
    if (config.tls().insecure()) {
      builder.addService(agents).addService(admin);
    } else {
      // mutual TLS; every call is checked against the client certificate's identity first
      AuthInterceptor auth = new AuthInterceptor(metrics::authRefusal,
          new RefusalLogger(System::nanoTime, TimeUnit.SECONDS.toNanos(5)));
      builder.sslContext(GrpcTls.server(config.tls()))
          .addService(ServerInterceptors.intercept(agents, auth))
          .addService(ServerInterceptors.intercept(admin, auth));
    }
    this.grpc = CallLanes.install(builder, grpcExecutor)
        .maxInboundMessageSize(MAX_REQUEST_BYTES)
        .maxInboundMetadataSize(MAX_METADATA_BYTES)
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .build();
  }

  private final class Leadership implements TandemStateMachine.LeadershipListener {
    @Override
    public void onLeaderReady() {
      keeper.becomeLeader(nanos.getAsLong());
      LOG.info("{} is the leader (term {}): leases of every active count as renewed now",
          config.nodeId(), raft.term());
      ticker.kick();
    }

    @Override
    public void onNotLeader(Optional<String> leader) {
      if (keeper.isLeader()) {
        keeper.stepDown();
        restarts.stepDown();
        LOG.info("{} is no longer the leader{}", config.nodeId(),
            leader.map(l -> "; the leader is " + l).orElse(""));
      }
      closeAgentStreamsOnceLeaderKnown(leader, nanos.getAsLong() + LEADER_WAIT_NANOS, false);
    }
  }

  /** How long agent streams stay open after a step-down, waiting to name the new leader. */
  private static final long LEADER_WAIT_NANOS = 1_000_000_000L;

  /**
   * Closes the agents' watch streams with the new leader's address in the trailer. Right after
   * a step-down the new leader is often not known yet: wait for it (briefly) so agents redial it
   * directly instead of trying every coordinator.
   */
  private void closeAgentStreamsOnceLeaderKnown(Optional<String> leader, long deadline,
      boolean blocking) {
    Optional<String> other = leader.or(() -> {
      try {
        return raft.leaderId();
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }).filter(id -> !id.equals(config.nodeId()));
    if (other.isPresent() || nanos.getAsLong() - deadline > 0) {
      watch.closeAgentStreams(errors.notLeader(new NotLeader(other)));
    } else if (blocking) {
      sleep(20);
      closeAgentStreamsOnceLeaderKnown(Optional.empty(), deadline, true);
    } else if (!ticker.later(Duration.ofMillis(20),
        () -> closeAgentStreamsOnceLeaderKnown(Optional.empty(), deadline, false))) {
      watch.closeAgentStreams(errors.notLeader(new NotLeader(Optional.empty())));
    }
  }

  /**
   * Starts Raft, gRPC and metrics. A failure is a {@link StartFailure} whose message names the
   * port or file and says what to do.
   */
  public void start() throws IOException {
    if (config.tls().insecure()) {
      LOG.warn("{}: tls.insecure is set: the Raft and gRPC ports are plaintext and unauthenticated;"
          + " anyone who reaches them can switch over or delete groups (docs/security.md)", config.nodeId());
    }
    int n = config.peers().size();
    if (n < 3 || n % 2 == 0) {
      LOG.warn("{} peers configured: a cluster of {} stops when {} of them fail; use 3 (or 5)",
          n, n, n < 3 ? "any one" : n / 2);
    }
    PortCheck.ensureFree(config.nodeId(), "raft", config.self().raft());
    PortCheck.ensureFree(config.nodeId(), "grpc", config.self().grpc());
    if (config.metricsAddress().isPresent()) {
      PortCheck.ensureFree(config.nodeId(), "metrics", config.metricsAddress().get());
    }
    try {
      startServices();
    } catch (Exception e) {
      throw StartFailures.describe(e, config);
    }
  }

  private void startServices() throws IOException {
    raft.start();
    grpc.start();
    ticker.start();
    ticker.every(Duration.ofSeconds(1), new PeerLagMonitor(raft, nanos));
    PeerListCheck peerList = new PeerListCheck(raft, "the config file");
    peerList.run(); // at start, before the first tick
    ticker.every(Duration.ofSeconds(1), peerList);
    Optional<HostPort> m = config.metricsAddress();
    if (m.isPresent()) {
      metricsHttp = new MetricsHttpServer(new InetSocketAddress(m.get().host(), m.get().port()), metrics);
      metricsHttp.start();
    }
    LOG.info("coordinator {} serving: gRPC {}, raft {}, metrics {}, data {}, {}", config.nodeId(),
        config.self().grpc(), config.self().raft(),
        metricsHttp == null ? "off" : m.get().host() + ":" + metricsHttp.port(), config.dataDir(),
        config.tls().describe());
  }

  public RaftNode raft() {
    return raft;
  }

  public LeaseKeeper keeper() {
    return keeper;
  }

  public CoordinatorMetrics metrics() {
    return metrics;
  }

  public CoordinatorConfig config() {
    return config;
  }

  /** The port /metrics is served on, or -1. */
  public int metricsPort() {
    return metricsHttp == null ? -1 : metricsHttp.port();
  }

  /**
   * Longest wait for a leadership transfer at a planned stop: one takes 30-40 ms; a target that
   * is stopping too (a whole-cluster stop) never completes it, so the stop goes on without it.
   */
  static final long TRANSFER_TIMEOUT_MS = 1000;

  /** Planned stop: hand leadership over, stop serving, close Raft. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    StopTimes times = new StopTimes(nanos);
    boolean leaderWithoutSuccessor = false;
    try {
      boolean wasLeader = raft.isLeaderReady();
      boolean handedOver = raft.transferLeadershipIfLeader(TRANSFER_TIMEOUT_MS);
      if (handedOver) {
        LOG.info("{} handed leadership over before stopping", config.nodeId());
      }
      leaderWithoutSuccessor = wasLeader && !handedOver;
    } catch (RuntimeException e) {
      // not started, or Raft already closing: nothing to hand over
    }
    times.step("leadership");
    // Send agents to the new leader now rather than letting their streams just end. A leader that
    // could not hand over (its peers are stopping too) will not learn of a successor before it
    // stops: no wait for one.
    long leaderWait = leaderWithoutSuccessor ? 0 : LEADER_WAIT_NANOS;
    closeAgentStreamsOnceLeaderKnown(Optional.empty(), nanos.getAsLong() + leaderWait, true);
    times.step("agent streams");
    closeQuietly("ticker", ticker::close);
    grpc.shutdown();
    watch.close();
    try {
      if (!grpc.awaitTermination(1, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
      }
    } catch (InterruptedException e) {
      grpc.shutdownNow();
      Thread.currentThread().interrupt();
    }
    awaitGrpcTermination();
    grpcExecutor.close();
    if (metricsHttp != null) {
      closeQuietly("metrics", metricsHttp::close);
    }
    times.step("gRPC");
    closeQuietly("raft", raft::close);
    times.step("raft");
    LOG.info("coordinator {} stopped in {}", config.nodeId(), times);
  }

  /** Crash-like stop for tests: no leadership transfer. */
  public void kill() {
    closed = true;
    closeQuietly("ticker", ticker::close);
    grpc.shutdownNow();
    awaitGrpcTermination(); // before the executor stops: the transports still hand it their last callbacks
    grpcExecutor.close();
    watch.close();
    if (metricsHttp != null) {
      closeQuietly("metrics", metricsHttp::close);
    }
    closeQuietly("raft", raft::close);
  }

  private void awaitGrpcTermination() {
    try {
      grpc.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void closeQuietly(String what, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      LOG.warn("closing {} failed: {}", what, e.toString());
    }
  }
}

package io.tandem.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.common.config.HostPort;
import io.tandem.common.tls.TlsSettings;
import io.tandem.tls.GrpcTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The coordinators that a client (agent or admin CLI) may talk to, and the one it currently
 * believes to be the Raft leader.
 *
 * <p>Calls go to the current target with a short deadline chosen by the caller. A follower's
 * {@code UNAVAILABLE} carrying the {@link #LEADER_TRAILER} moves the target to the named leader
 * (if it is one of the configured addresses, or one {@link #learn learned} from the cluster);
 * any other {@code UNAVAILABLE} or {@code DEADLINE_EXCEEDED} rotates to the next address. So a
 * frozen (SIGSTOPped) leader stalls a caller for one deadline, not for the TCP timeout.
 *
 * <p>Channels use mutual TLS ({@link GrpcTls#client}) unless built with
 * {@link TlsSettings#plaintext()} ({@code tls.insecure}).
 *
 * <p>Thread-safe. Channels are created lazily, one per address, and closed by {@link #close()}.
 */
public final class CoordinatorEndpoints implements AutoCloseable {
  /**
   * Largest message a coordinator sends or accepts: a flows revision is up to 16 MB (flows and
   * credentials), and a request a little over the limit must still arrive so the coordinator
   * can refuse it with a message that names the size (gRPC's default is 4 MB).
   */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  /** Trailer in which a follower names the leader's gRPC address ({@code host:port}). */
  public static final Metadata.Key<String> LEADER_TRAILER =
      Metadata.Key.of("tandem-leader", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Trailer of a RESOURCE_EXHAUSTED answer from a leader that sheds load: how long (ms) the
   * client should wait before it calls again (it adds jitter). The leader is not down: do not
   * rotate to another coordinator.
   */
  public static final Metadata.Key<String> RETRY_AFTER_TRAILER =
      Metadata.Key.of("tandem-retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Request header of a heartbeat from an agent whose flows run (value "1"): the leader serves such
   * calls ahead of the others (docs/coordinator.md, "Overload"). Only a hint for the order of
   * service; the lease decision reads the request itself.
   */
  public static final Metadata.Key<String> RUNS_FLOWS_HEADER =
      Metadata.Key.of("tandem-runs-flows", Metadata.ASCII_STRING_MARSHALLER);

  /** Whether a heartbeat saying {@code runtime} and {@code runningToken} should carry {@link #RUNS_FLOWS_HEADER}. */
  public static boolean runsFlows(io.tandem.proto.agent.RuntimeState runtime, long runningToken) {
    return runtime == io.tandem.proto.agent.RuntimeState.RUNTIME_RUNNING || runningToken > 0;
  }

  /** The headers {@link #RUNS_FLOWS_HEADER} marks. */
  public static Metadata runsFlowsHeaders() {
    Metadata m = new Metadata();
    m.put(RUNS_FLOWS_HEADER, "1");
    return m;
  }

  private final List<String> seeds; // the configured addresses, fixed after construction
  private volatile List<String> addresses; // the seeds, then the learned ones that are not seeds
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile String target;
  private final SslContext tls; // null: plaintext
  private final EventLoopGroup ownLoop; // null: gRPC's shared event loop (see forShortLivedProcess)

  private CoordinatorEndpoints(List<String> addresses, SslContext tls, EventLoopGroup ownLoop) {
    this.seeds = List.copyOf(addresses);
    this.addresses = this.seeds;
    this.target = this.addresses.get(0);
    this.tls = tls;
    this.ownLoop = ownLoop;
  }

  /**
   * Takes the coordinators' gRPC addresses the cluster reports (its current Raft configuration):
   * the addresses become the configured ones (kept as seeds, first, so a client behind proxies
   * still tries its own first) followed by the reported ones that are not among them. A later
   * report replaces the earlier learned ones, so a removed coordinator that was only learned is
   * dropped again. Invalid or empty reports are ignored. Returns true if the list changed.
   */
  public synchronized boolean learn(java.util.Collection<String> reported) {
    List<String> next = new ArrayList<>(seeds);
    for (String a : reported) {
      try {
        checkAddress(a);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (!next.contains(a)) {
        next.add(a);
      }
    }
    if (reported.isEmpty() || next.equals(addresses)) {
      return false;
    }
    addresses = List.copyOf(next);
    if (!addresses.contains(target)) {
      target = addresses.get(0);
    }
    return true;
  }

  /**
   * Parses a comma-separated list of {@code host:port}, with channels secured by {@code tls}.
   *
   * @throws IllegalArgumentException with a message naming the bad entry
   * @throws io.tandem.common.tls.TlsException naming a TLS file that cannot be used
   */
  public static CoordinatorEndpoints parse(String csv, TlsSettings tls) {
    List<String> list = parseList(csv);
    return new CoordinatorEndpoints(list, tls.insecure() ? null : GrpcTls.client(tls), null);
  }

  /**
   * Like {@link #parse(String, TlsSettings)}, for a process that exits right after its calls
   * (tandemctl): the channels run on an event loop of their own, one thread, which {@link
   * #closeNow()} ends. gRPC's shared event loop outlives its channels by a second, and the JVM
   * waits up to 300 ms at exit for a thread that is in native code (an event loop in its
   * {@code epoll_wait}) before it exits anyway: that was 300 ms of every tandemctl command.
   */
  public static CoordinatorEndpoints forShortLivedProcess(String csv, TlsSettings tls) {
    List<String> list = parseList(csv);
    SslContext ssl = tls.insecure() ? null : GrpcTls.client(tls);
    return new CoordinatorEndpoints(list, ssl, new NioEventLoopGroup(1, r -> {
      Thread t = new Thread(r, "tandem-client-loop");
      t.setDaemon(true);
      return t;
    }));
  }

  public static CoordinatorEndpoints of(List<String> addresses, TlsSettings tls) {
    return parse(String.join(",", addresses), tls);
  }

  /** Whether channels are plaintext. */
  public boolean plaintext() {
    return tls == null;
  }

  /**
   * Parses a comma-separated list of {@code host:port}; plaintext channels (tests, and
   * {@code tls.insecure}).
   *
   * @throws IllegalArgumentException with a message naming the bad entry
   */
  public static CoordinatorEndpoints parse(String csv) {
    return parse(csv, TlsSettings.plaintext());
  }

  private static List<String> parseList(String csv) {
    if (csv == null || csv.isBlank()) {
      throw new IllegalArgumentException(
          "no coordinator addresses given (expected host:port[,host:port...])");
    }
    List<String> list = new ArrayList<>();
    for (String raw : csv.split(",")) {
      String a = raw.trim();
      if (a.isEmpty()) {
        continue;
      }
      checkAddress(a);
      if (!list.contains(a)) {
        list.add(a);
      }
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no coordinator addresses in \"" + csv + "\"");
    }
    return list;
  }

  public static CoordinatorEndpoints of(List<String> addresses) {
    return parse(String.join(",", addresses));
  }

  static void checkAddress(String a) {
    HostPort.parse(a); // the shared host:port rule; throws with a message naming the entry
  }

  /** The configured addresses, then those learned from the cluster. */
  /** The addresses this client was given (its configuration), without the learned ones. */
  public List<String> seeds() {
    return seeds;
  }

  public List<String> addresses() {
    return addresses;
  }

  /** The address calls currently go to. */
  public String target() {
    return target;
  }

  /** The channel to the current target. */
  public ManagedChannel channel() {
    return channel(target);
  }

  public ManagedChannel channel(String address) {
    return channels.computeIfAbsent(
        address, a -> {
          NettyChannelBuilder b = NettyChannelBuilder.forTarget(a).maxInboundMessageSize(MAX_MESSAGE_BYTES);
          if (ownLoop != null) {
            b.eventLoopGroup(ownLoop).channelType(NioSocketChannel.class);
          }
          return (tls == null ? b.usePlaintext() : b.sslContext(tls)).build();
        });
  }

  /**
   * Adjusts the target after a failed call to {@code address}: follow the leader named in the
   * trailer, else rotate to the next address. Returns true if the failure is worth a retry on
   * the (new) target.
   */
  public boolean onFailure(String address, Throwable failure) {
    Status status = Status.fromThrowable(failure);
    if (status.getCode() != Status.Code.UNAVAILABLE
        && status.getCode() != Status.Code.DEADLINE_EXCEEDED) {
      return false;
    }
    Optional<String> leader = leaderHint(failure);
    synchronized (this) {
      if (!address.equals(target)) {
        return true; // someone else already moved the target
      }
      // Follow a hint only to an address this client knows (configured or learned): a client that
      // reaches the coordinators through proxies or NAT cannot use the address a coordinator
      // advertises.
      List<String> known = addresses;
      if (leader.isPresent() && !leader.get().equals(address) && known.contains(leader.get())) {
        target = leader.get();
        return true;
      }
      int i = known.indexOf(address);
      target = known.get((i + 1) % known.size());
    }
    return true;
  }

  /** The leader's address from a follower's trailer, if the failure carries one. */
  public static Optional<String> leaderHint(Throwable failure) {
    Metadata trailers = Status.trailersFromThrowable(failure);
    if (trailers == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(trailers.get(LEADER_TRAILER)).filter(s -> !s.isBlank());
  }

  /**
   * Runs a blocking call against the current target, following redirects and rotating on
   * unavailability, at most {@code attempts} times (at least once per address is sensible).
   *
   * @throws StatusRuntimeException the last failure, or the first one that is not retryable
   */
  public <T> T call(Function<ManagedChannel, T> call, int attempts) {
    StatusRuntimeException last = null;
    for (int i = 0; i < Math.max(1, attempts); i++) {
      String address = target;
      try {
        return call.apply(channel(address));
      } catch (StatusRuntimeException e) {
        last = e;
        if (!onFailure(address, e)) {
          throw e;
        }
      }
    }
    throw last;
  }

  /**
   * Cancels every call and closes every channel without waiting for their transports to end
   * (but ends the event loop of {@link #forShortLivedProcess}): for a process that exits right
   * after, where nothing is left to wait for (every answer it needed has arrived).
   */
  public void closeNow() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    endOwnLoop();
  }

  private void endOwnLoop() {
    if (ownLoop != null) {
      // no quiet period: every call has ended; its thread then leaves its select() at once
      ownLoop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(500);
    }
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    endOwnLoop();
  }
}

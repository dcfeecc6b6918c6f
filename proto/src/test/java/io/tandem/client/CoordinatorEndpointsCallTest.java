package io.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Redirects and rotation against real gRPC servers on 127.0.0.1 (ephemeral ports). */
class CoordinatorEndpointsCallTest {
  private final List<Server> servers = new ArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();

  @AfterEach
  void stopServers() throws InterruptedException {
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A coordinator that answers ClusterStatus with its name, or fails as told. */
  private String server(String name, Status failure, String leaderHint) throws IOException {
    var service =
        new AdminServiceGrpc.AdminServiceImplBase() {
          @Override
          public void clusterStatus(ClusterStatusRequest r, StreamObserver<ClusterStatusResponse> reply) {
            calls.incrementAndGet();
            if (failure == null) {
              reply.onNext(ClusterStatusResponse.newBuilder().setAnsweredBy(name).build());
              reply.onCompleted();
            } else if (failure.getCode() == Status.Code.DEADLINE_EXCEEDED) {
              // frozen: never answers
            } else {
              Metadata trailers = new Metadata();
              if (leaderHint != null) {
                trailers.put(CoordinatorEndpoints.LEADER_TRAILER, leaderHint);
              }
              reply.onError(failure.asRuntimeException(trailers));
            }
          }
        };
    Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
    servers.add(s);
    return "127.0.0.1:" + s.getPort();
  }

  private static String deadAddress() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }

  /**
   * ClusterStatus whose deadline only guards against a hang. A short deadline on every call made
   * a server that answers fail when a fresh channel's connect and first call took longer than it
   * on a loaded machine (it then counted as frozen and the call rotated on): only the frozen
   * server's calls get one ({@link #status(String)}).
   */
  private static Function<ManagedChannel, String> status() {
    return within(30_000);
  }

  /** As {@link #status()}, with a 500 ms deadline for calls to {@code frozen} only. */
  private static Function<ManagedChannel, String> status(String frozen) {
    return ch -> within(ch.authority().equals(frozen) ? 500 : 30_000).apply(ch);
  }

  private static Function<ManagedChannel, String> within(long deadlineMillis) {
    return ch ->
        AdminServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
            .clusterStatus(ClusterStatusRequest.getDefaultInstance())
            .getAnsweredBy();
  }

  @Test
  void rotatesPastARefusedConnectionAndStaysOnTheOneThatAnswers() throws IOException {
    String dead = deadAddress();
    String good = server("good", null, null);
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of(dead, good))) {
      assertThat(e.call(status(), 3)).isEqualTo("good");
      assertThat(e.target()).isEqualTo(good);
      assertThat(e.call(status(), 1)).isEqualTo("good");
    }
  }

  @Test
  void rotatesPastAFrozenCoordinatorAfterOneDeadline() throws IOException {
    String frozen = server("frozen", Status.DEADLINE_EXCEEDED, null);
    String good = server("good", null, null);
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of(frozen, good))) {
      long start = System.nanoTime();
      assertThat(e.call(status(frozen), 2)).isEqualTo("good");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
      assertThat(e.target()).isEqualTo(good);
    }
  }

  @Test
  void followsTheLeaderTrailerPastTheNextAddress() throws IOException {
    String leader = server("leader", null, null);
    String follower = server("follower", Status.UNAVAILABLE.withDescription("not the leader"), leader);
    String other = server("other", null, null);
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of(follower, other, leader))) {
      assertThat(e.call(status(), 2)).isEqualTo("leader"); // rotation alone would have asked "other"
      assertThat(e.target()).isEqualTo(leader);
      assertThat(calls.get()).isEqualTo(2);
    }
  }

  @Test
  void aHintToAnUnconfiguredAddressIsNotFollowed() throws IOException {
    // e.g. a coordinator advertising an address the client cannot reach (proxy, NAT)
    String unlisted = server("unlisted", null, null);
    String follower = server("follower", Status.UNAVAILABLE.withDescription("not the leader"), unlisted);
    String other = server("other", null, null);
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of(follower, other))) {
      assertThat(e.call(status(), 2)).isEqualTo("other");
      assertThat(e.addresses()).containsExactly(follower, other);
    }
  }

  @Test
  void aMalformedOrSelfPointingHintRotatesInstead() throws IOException {
    String good = server("good", null, null);
    String badHint = server("bad", Status.UNAVAILABLE, "not-an-address");
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of(badHint, good))) {
      assertThat(e.call(status(), 2)).isEqualTo("good");
      assertThat(e.addresses()).doesNotContain("not-an-address");
    }
    List<String> self = new ArrayList<>();
    try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      self.add("127.0.0.1:" + reserved.getLocalPort());
    }
    String good2 = server("good2", null, null);
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of(self.get(0), good2))) {
      assertThat(e.onFailure(self.get(0), Status.UNAVAILABLE.asRuntimeException())).isTrue();
      assertThat(e.target()).isEqualTo(good2);
    }
  }

  @Test
  void aRefusalIsNotRetried() throws IOException {
    String notFound = server("nf", Status.NOT_FOUND.withDescription("no such group"), null);
    String good = server("good", null, null);
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of(notFound, good))) {
      assertThatThrownBy(() -> e.call(status(), 3))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("NOT_FOUND: no such group");
      assertThat(calls.get()).isEqualTo(1);
      assertThat(e.target()).isEqualTo(notFound);
    }
  }

  @Test
  void givesUpAfterTheAttemptsWithTheLastFailure() throws IOException {
    String a = server("a", Status.UNAVAILABLE.withDescription("no leader yet (a)"), null);
    String b = server("b", Status.UNAVAILABLE.withDescription("no leader yet (b)"), null);
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of(a, b))) {
      assertThatThrownBy(() -> e.call(status(), 3))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("no leader yet (a)"); // a, b, a
      assertThat(calls.get()).isEqualTo(3);
      assertThat(e.target()).isEqualTo(b);
    }
  }

  @Test
  void aStaleFailureReportDoesNotMoveTheTarget() {
    try (CoordinatorEndpoints e = CoordinatorEndpoints.parse("127.0.0.1:1,127.0.0.1:2,127.0.0.1:3")) {
      assertThat(e.onFailure("127.0.0.1:1", Status.UNAVAILABLE.asRuntimeException())).isTrue();
      assertThat(e.target()).isEqualTo("127.0.0.1:2");
      // a second caller's failure against the old target must not skip 127.0.0.1:2
      assertThat(e.onFailure("127.0.0.1:1", Status.DEADLINE_EXCEEDED.asRuntimeException())).isTrue();
      assertThat(e.target()).isEqualTo("127.0.0.1:2");
      assertThat(e.onFailure("127.0.0.1:2", Status.INTERNAL.asRuntimeException())).isFalse();
      assertThat(e.target()).isEqualTo("127.0.0.1:2");
    }
  }
}

package io.tandem.coordinator.cli;

import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.tandem.client.CoordinatorEndpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * A real gRPC server on 127.0.0.1 and an ephemeral port serving a test's AdminService, for the
 * CLI's formatting, retry and exit-code tests (the behaviour of real coordinators is tested with
 * MiniCluster).
 */
final class FakeCoordinator implements AutoCloseable {
  private final Server server;

  FakeCoordinator(BindableService service) {
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(service)
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  /** UNAVAILABLE as a follower sends it: naming the leader in the trailer. */
  static StatusRuntimeException notLeader(String leaderAddress) {
    Metadata trailers = new Metadata();
    trailers.put(CoordinatorEndpoints.LEADER_TRAILER, leaderAddress);
    return Status.UNAVAILABLE.withDescription("not the leader").asRuntimeException(trailers);
  }

  /** A loopback address on which nothing listens (bound, then released). */
  static String deadAddress() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return "127.0.0.1:" + s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}

package io.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tandem.common.tls.TlsSettings;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A tandemctl run ends its channels' event loop when it closes them: a thread left in native code
 * (an event loop in epoll_wait or select) makes the JVM wait 300 ms at exit (docs/cli.md,
 * "Start-up time"). With gRPC's shared event loop the threads outlive the channels.
 */
class ShortLivedEndpointsTest {
  @Test
  void closeNowEndsTheEventLoopThreadAfterACall() throws Exception {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new AdminServiceGrpc.AdminServiceImplBase() {
          @Override
          public void clusterStatus(ClusterStatusRequest r, StreamObserver<ClusterStatusResponse> out) {
            out.onNext(ClusterStatusResponse.newBuilder().setAnsweredBy("c1").build());
            out.onCompleted();
          }
        }).build().start();
    try {
      CoordinatorEndpoints e = CoordinatorEndpoints.forShortLivedProcess(
          "127.0.0.1:" + server.getPort(), TlsSettings.plaintext());
      String answeredBy = AdminServiceGrpc.newBlockingStub(e.channel())
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .clusterStatus(ClusterStatusRequest.getDefaultInstance()).getAnsweredBy();
      assertThat(answeredBy).isEqualTo("c1");
      assertThat(clientLoopThreads()).as("the client's own event loop ran the call").isPositive();

      e.closeNow();

      assertThat(clientLoopThreads()).as("event loop threads alive after closeNow").isZero();
      assertThat(e.channel().isShutdown()).isTrue();
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static long clientLoopThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("tandem-client-loop"))
        .count();
  }
}

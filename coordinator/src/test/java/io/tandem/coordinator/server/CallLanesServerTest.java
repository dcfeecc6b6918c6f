package io.tandem.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.coordinator.lease.LeaderHealth;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The lanes on a real gRPC server wired as the coordinator's ({@link CallLanes#install}): with the
 * pool's only thread busy, standbys' heartbeats that arrived first are served after an active's
 * heartbeat that arrived last.
 */
class CallLanesServerTest {
  @Test
  void anActivesHeartbeatOvertakesStandbysThatQueuedBeforeIt() throws Exception {
    List<String> served = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    AgentServiceGrpc.AgentServiceImplBase service = new AgentServiceGrpc.AgentServiceImplBase() {
      @Override
      public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
        served.add(req.getInstance());
        threads.add(Thread.currentThread().getName());
        out.onNext(HeartbeatResponse.getDefaultInstance());
        out.onCompleted();
      }
    };
    GrpcExecutor pool = new GrpcExecutor(new LeaderHealth(LeaderHealth.Limits.DEFAULTS), System::nanoTime, 1);
    Server server = CallLanes.install(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), pool)
        .addService(service).build().start();
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch busy = new CountDownLatch(1);
    try {
      pool.execute(() -> {
        busy.countDown();
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
      AgentServiceGrpc.AgentServiceFutureStub stub = AgentServiceGrpc.newFutureStub(ch);
      List<Future<HeartbeatResponse>> calls = new ArrayList<>();
      calls.add(stub.heartbeat(beat("standby-1", RuntimeState.RUNTIME_STANDBY)));
      awaitWaiting(pool, 0, 1);
      calls.add(stub.heartbeat(beat("standby-2", RuntimeState.RUNTIME_STANDBY)));
      awaitWaiting(pool, 0, 2);
      calls.add(stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(CoordinatorEndpoints.runsFlowsHeaders()))
          .heartbeat(beat("active", RuntimeState.RUNTIME_RUNNING)));
      awaitWaiting(pool, 1, 2);
      Thread.sleep(200); // the calls' messages join their queued tasks (nothing runs meanwhile)
      release.countDown();
      for (Future<HeartbeatResponse> f : calls) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      release.countDown();
      ch.shutdownNow();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      pool.close();
    }
    assertThat(served).containsExactly("active", "standby-1", "standby-2");
    assertThat(threads).allSatisfy(t -> assertThat(t).startsWith("tandem-grpc-"));
  }

  private static HeartbeatRequest beat(String instance, RuntimeState runtime) {
    return HeartbeatRequest.newBuilder().setGroup("g").setInstance(instance).setRuntime(runtime).build();
  }

  private static void awaitWaiting(GrpcExecutor pool, int urgent, int normal) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pool.waiting()[0] != urgent || pool.waiting()[1] != normal) {
      assertThat(System.nanoTime() - deadline).as("calls queued: urgent %d, normal %d", urgent, normal).isNegative();
      Thread.sleep(5);
    }
  }
}

package io.tandem.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.http.AgentMetrics;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The agent marks the heartbeats of a runtime whose flows run with the runs-flows header (a busy
 * leader serves them first), and only those: against a fake coordinator that records the header of
 * each heartbeat next to the runtime state the heartbeat reports.
 */
class RunsFlowsHeaderTest {
  /** {runtime reported, header value or null}. */
  private record Seen(RuntimeState runtime, long runningToken, String header) {}

  @Test
  void onlyHeartbeatsOfARunningRuntimeCarryTheHeader() throws Exception {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    Context.Key<String> header = Context.key("runs-flows");
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        Context ctx = Context.current().withValue(header, headers.get(CoordinatorEndpoints.RUNS_FLOWS_HEADER));
        return Contexts.interceptCall(ctx, call, headers, next);
      }
    };
    AgentServiceGrpc.AgentServiceImplBase fake = new AgentServiceGrpc.AgentServiceImplBase() {
      @Override
      public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
        seen.add(new Seen(req.getRuntime(), req.getRunningToken(), header.get()));
        out.onNext(HeartbeatResponse.getDefaultInstance());
        out.onCompleted();
      }
    };
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
        .addService(ServerInterceptors.intercept(fake, capture)).build().start();
    AtomicReference<HeartbeatRequest> next = new AtomicReference<>(request(RuntimeState.RUNTIME_STANDBY, 0));
    CoordinatorLink link = new CoordinatorLink(List.of("127.0.0.1:" + server.getPort()), "g", "a",
        LeaseSettings.defaults(), next::get, new LinkListener() {
          @Override
          public void onHeartbeat(long sentAtNanos, HeartbeatResponse r) {}

          @Override
          public void onGroupUpdate(GroupUpdate u) {}
        }, new AgentMetrics("g", "a"));
    try {
      link.start();
      awaitCount(seen, 2);
      next.set(request(RuntimeState.RUNTIME_RUNNING, 7));
      link.heartbeatNow();
      awaitRunning(seen, 2);
      next.set(request(RuntimeState.RUNTIME_STANDBY, 0));
      int before = seen.size();
      awaitCount(seen, before + 2);
    } finally {
      link.close();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertThat(seen).allSatisfy(s -> {
      boolean runs = s.runtime() == RuntimeState.RUNTIME_RUNNING || s.runningToken() > 0;
      assertThat(s.header()).as("header of a heartbeat reporting %s", s).isEqualTo(runs ? "1" : null);
    });
    assertThat(seen).anySatisfy(s -> assertThat(s.header()).isEqualTo("1"));
    assertThat(seen.get(seen.size() - 1).header()).isNull();
  }

  private static HeartbeatRequest request(RuntimeState runtime, long token) {
    return HeartbeatRequest.newBuilder().setGroup("g").setInstance("a").setRuntime(runtime)
        .setRunningToken(token).build();
  }

  private static void awaitCount(List<Seen> seen, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (seen.size() < n) {
      assertThat(System.nanoTime() - deadline).as("%d heartbeats", n).isNegative();
      Thread.sleep(10);
    }
  }

  private static void awaitRunning(List<Seen> seen, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (seen.stream().filter(s -> s.runtime() == RuntimeState.RUNTIME_RUNNING).count() < n) {
      assertThat(System.nanoTime() - deadline).as("%d heartbeats of a running runtime", n).isNegative();
      Thread.sleep(10);
    }
  }
}

package io.tandem.coordinator.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.AgentServiceGrpc;
import java.util.concurrent.Executor;

/**
 * Chooses the lane of {@link GrpcExecutor} each call runs in, from its method and headers, before
 * it waits in a queue (docs/coordinator.md, "Overload"). Urgent: heartbeats that say their agent
 * runs flows ({@link CoordinatorEndpoints#RUNS_FLOWS_HEADER}: its lease is at stake) and fence
 * reports (a group is dark until one is acted on). Everything else is normal: standbys'
 * heartbeats, watch streams, group data, admin calls. The header is a hint for the order of
 * service only: the lease keeper decides from the request, as for every other call.
 */
final class CallLanes implements ServerCallExecutorSupplier {
  private static final String HEARTBEAT = AgentServiceGrpc.getHeartbeatMethod().getFullMethodName();
  private static final String REPORT_FENCED = AgentServiceGrpc.getReportFencedMethod().getFullMethodName();

  private final GrpcExecutor executor;

  CallLanes(GrpcExecutor executor) {
    this.executor = executor;
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
    return urgent(call.getMethodDescriptor().getFullMethodName(), headers) ? executor.urgent() : executor;
  }

  /**
   * Has {@code builder}'s server run every call in its lane of {@code executor}: the method lookup
   * on the transport's thread (cheap; it only picks the lane), then the call on the pool.
   */
  static NettyServerBuilder install(NettyServerBuilder builder, GrpcExecutor executor) {
    return builder.directExecutor().callExecutor(new CallLanes(executor));
  }

  static boolean urgent(String fullMethodName, Metadata headers) {
    if (REPORT_FENCED.equals(fullMethodName)) {
      return true;
    }
    return HEARTBEAT.equals(fullMethodName) && "1".equals(headers.get(CoordinatorEndpoints.RUNS_FLOWS_HEADER));
  }
}

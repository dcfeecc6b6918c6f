package io.tandem.coordinator.ratis;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;

/**
 * Ratis' gRPC transport with Tandem's log appender ({@link ResyncingLogAppender}). Ratis finds a
 * user-defined RPC type by its class name ({@code raft.rpc.type}), so {@link #name()} is that
 * name and the class needs a public no-argument constructor.
 */
public final class TandemRpcType implements RpcType {
  public TandemRpcType() {}

  @Override
  public String name() {
    return TandemRpcType.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new TandemGrpcFactory(parameters);
  }
}

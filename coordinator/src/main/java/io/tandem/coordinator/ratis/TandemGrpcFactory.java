package io.tandem.coordinator.ratis;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis' gRPC factory (one per Raft server) whose log appenders resync a follower that lost its
 * log, and which remembers each follower's appender so the leader can report what every follower
 * really acknowledged ({@link Followers}).
 */
final class TandemGrpcFactory extends GrpcFactory {
  private final Followers followers = new Followers();

  TandemGrpcFactory(Parameters parameters) {
    super(parameters);
  }

  Followers followers() {
    return followers;
  }

  @Override
  public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo f) {
    LogAppender appender = new ResyncingLogAppender(server, state, f);
    followers.add(appender);
    return appender;
  }
}

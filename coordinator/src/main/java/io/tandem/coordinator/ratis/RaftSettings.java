package io.tandem.coordinator.ratis;

import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.coordinator.config.PeerConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;

/** The Ratis properties of a coordinator (RATIS-NOTES.md explains the choices). */
final class RaftSettings {
  /** Snapshot after this many log entries; snapshots kept on disk. */
  static final long SNAPSHOT_EVERY = 1000;
  static final int SNAPSHOTS_KEPT = 3;
  /** First election timeout of every peer but the first (which uses 150-300 ms). */
  static final long FIRST_ELECTION_OTHERS_MS = 1000;
  /**
   * How long a leader that stepped down for lost majority heartbeats waits before it campaigns
   * again (Ratis raft.server.leaderelection.leader.step-down.wait-time, default 10 s). Ratis also
   * steps a leader down after a JVM pause longer than this.
   */
  static final long STEP_DOWN_WAIT_MS = 1000;
  /** Election timeout range (the Ratis defaults); a leader heartbeats every half minimum. */
  static final long ELECTION_TIMEOUT_MIN_MS = 150;
  static final long ELECTION_TIMEOUT_MAX_MS = 300;

  private RaftSettings() {}

  static RaftProperties properties(CoordinatorConfig config) {
    RaftProperties p = new RaftProperties();
    PeerConfig self = config.self();
    RaftServerConfigKeys.setStorageDir(p, List.of(config.dataDir().toFile()));
    // gRPC, with a log appender that resyncs a follower that lost its log (ResyncingLogAppender).
    RaftConfigKeys.Rpc.setType(p, new TandemRpcType());
    GrpcConfigKeys.Server.setHost(p, self.raft().host());
    GrpcConfigKeys.Server.setPort(p, self.raft().port());
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    RaftServerConfigKeys.Read.setTimeout(p, ms(1000));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, SNAPSHOT_EVERY);
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, SNAPSHOTS_KEPT);
    // The Ratis defaults; lower values made cold starts take 15 s here.
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(ELECTION_TIMEOUT_MIN_MS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(ELECTION_TIMEOUT_MAX_MS));
    // Deterministic bootstrap: the first peer of the config campaigns first after a start, the
    // others only after a longer first timeout, so a fresh cluster elects it without competing
    // candidates. (Raft priorities would do the same but keep every other peer from being
    // elected while the first one rejects them, e.g. for 10 s after it stepped down.)
    boolean first = config.peers().get(0).id().equals(config.nodeId());
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, ms(first ? ELECTION_TIMEOUT_MIN_MS : FIRST_ELECTION_OTHERS_MS));
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, ms(first ? ELECTION_TIMEOUT_MAX_MS : FIRST_ELECTION_OTHERS_MS + 300));
    // Liveness only (votes and terms keep Raft safe): with the default 10 s, a leader that lost
    // its majority under load could not campaign for 10 s, and when it holds the only log the
    // other peer would vote for, the cluster had no leader that long. 1 s is still more than
    // three maximum election timeouts, so a flapping peer cannot disrupt the cluster often.
    RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, ms(STEP_DOWN_WAIT_MS));
    // tandemctl members add: a new peer must be sent the log (or the snapshot) within this long,
    // else the change fails and the configuration stays as it was.
    RaftServerConfigKeys.setStagingTimeout(p, ms(RaftNode.STAGING_TIMEOUT_MS));
    return p;
  }

  private static TimeDuration ms(long millis) {
    return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
  }
}

package io.tandem.coordinator.ratis;

import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.coordinator.config.PeerConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;

/** The Ratis properties of a coordinator (RATIS-NOTES.md explains the choices). */
final class RaftSettings {
  /** Snapshot after this many log entries; snapshots kept on disk. */
  static final long SNAPSHOT_EVERY = 1000;
  static final int SNAPSHOTS_KEPT = 3;

  private RaftSettings() {}

  static RaftProperties properties(CoordinatorConfig config) {
    RaftProperties p = new RaftProperties();
    PeerConfig self = config.self();
    RaftServerConfigKeys.setStorageDir(p, List.of(config.dataDir().toFile()));
    GrpcConfigKeys.Server.setHost(p, self.raft().host());
    GrpcConfigKeys.Server.setPort(p, self.raft().port());
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    RaftServerConfigKeys.Read.setTimeout(p, ms(1000));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, SNAPSHOT_EVERY);
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, SNAPSHOTS_KEPT);
    // The Ratis defaults; lower values made cold starts take 15 s here.
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(150));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(300));
    return p;
  }

  private static TimeDuration ms(long millis) {
    return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
  }
}

package io.tandem.coordinator.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.common.config.HostPort;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.config.PeerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

class RaftSettingsTest {
  private static CoordinatorConfig config(String self) {
    List<PeerConfig> peers = List.of(
        new PeerConfig("c1", new HostPort("127.0.0.1", 7201), new HostPort("127.0.0.1", 7101)),
        new PeerConfig("c2", new HostPort("127.0.0.1", 7202), new HostPort("127.0.0.1", 7102)),
        new PeerConfig("c3", new HostPort("127.0.0.1", 7203), new HostPort("127.0.0.1", 7103)));
    return new CoordinatorConfig(self, "t", Path.of("/nonexistent/tandem-test"), peers,
        Optional.empty(), LeaseSettings.DEFAULTS, Duration.ofSeconds(10));
  }

  @Test
  void aLeaderThatLostItsMajorityMayCampaignAgainAfterOneSecondNotTen() {
    RaftProperties p = RaftSettings.properties(config("c2"));
    long wait = RaftServerConfigKeys.LeaderElection.leaderStepDownWaitTime(p).toLong(TimeUnit.MILLISECONDS);
    assertThat(wait).isEqualTo(RaftSettings.STEP_DOWN_WAIT_MS).isLessThanOrEqualTo(2000);
    // still well above the maximum election timeout, so a flapping peer cannot churn the cluster
    long maxElection = RaftServerConfigKeys.Rpc.timeoutMax(p).toLong(TimeUnit.MILLISECONDS);
    assertThat(wait).isGreaterThanOrEqualTo(3 * maxElection);
  }

  @Test
  void electionTimeoutsStayAtTheRatisDefaults() {
    RaftProperties p = RaftSettings.properties(config("c1"));
    assertThat(RaftServerConfigKeys.Rpc.timeoutMin(p).toLong(TimeUnit.MILLISECONDS)).isEqualTo(150);
    assertThat(RaftServerConfigKeys.Rpc.timeoutMax(p).toLong(TimeUnit.MILLISECONDS)).isEqualTo(300);
  }
}

package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.server.CoordinatorServer;
import io.tandem.proto.state.Activate;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Outcome;
import java.util.concurrent.TimeUnit;

/** Commands the tests propose straight through a peer's Raft server (playing the leader). */
final class ClusterFixtures {
  private ClusterFixtures() {}

  static CommandResult activate(CoordinatorServer leader, String group, String instance, long expected)
      throws Exception {
    return leader.raft().submit(Command.newBuilder()
        .setActivate(Activate.newBuilder().setGroup(group).setInstance(instance)
            .setExpectedToken(expected).setReason("test"))
        .build()).get(30, TimeUnit.SECONDS);
  }

  static long activateOk(CoordinatorServer leader, String group, String instance, long expected)
      throws Exception {
    CommandResult r = activate(leader, group, instance, expected);
    assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.OK);
    return r.getToken();
  }
}

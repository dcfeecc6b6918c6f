package io.tandem.agent.control;

import io.tandem.proto.agent.Assignment;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.HeartbeatResponse;

/** Coordinator messages for the tests of this package. */
final class Messages {
  private Messages() {}

  static Assignment assignment(String active, long token) {
    return Assignment.newBuilder().setGroup("g").setExists(true).setActive(active).setToken(token)
        .build();
  }

  static HeartbeatResponse reply(String active, long token, long leaseMillis, boolean release) {
    return HeartbeatResponse.newBuilder().setAssignment(assignment(active, token))
        .setLeaseMillis(leaseMillis).setReleaseRequested(release).setCommitIndex(token).build();
  }

  static GroupUpdate update(String active, long token, boolean release) {
    return GroupUpdate.newBuilder().setAssignment(assignment(active, token))
        .setReleaseRequested(release).setCommitIndex(token).build();
  }
}

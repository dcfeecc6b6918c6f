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

  /** An all-active assignment with locks given as key, holder, token. */
  static Assignment allActive(long token, Object... locks) {
    Assignment.Builder b = Assignment.newBuilder().setGroup("g").setExists(true).setToken(token)
        .setMode(io.tandem.proto.state.GroupMode.ALL_ACTIVE);
    for (int i = 0; i < locks.length; i += 3) {
      b.addLocks(io.tandem.proto.state.Lock.newBuilder().setKey((String) locks[i])
          .setHolder((String) locks[i + 1]).setToken(((Number) locks[i + 2]).longValue()));
    }
    return b.build();
  }

  static HeartbeatResponse allActiveReply(long leaseMillis, long commitIndex, long token, Object... locks) {
    return HeartbeatResponse.newBuilder().setAssignment(allActive(token, locks))
        .setLeaseMillis(leaseMillis).setCommitIndex(commitIndex).build();
  }

  static GroupUpdate update(String active, long token, boolean release) {
    return GroupUpdate.newBuilder().setAssignment(assignment(active, token))
        .setReleaseRequested(release).setCommitIndex(token).build();
  }
}

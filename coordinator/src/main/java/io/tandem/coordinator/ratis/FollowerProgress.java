package io.tandem.coordinator.ratis;

/**
 * What a follower acknowledged to the current leader, from the leader's live follower record.
 *
 * @param matchIndex the last log index the follower confirmed it holds (-1: none yet)
 * @param commitIndex the follower's own commit index, as it last reported it (-1: none yet)
 * @param nextIndex the next index the leader will send it
 */
public record FollowerProgress(long matchIndex, long commitIndex, long nextIndex) {
  /** Entries the follower's commit index trails {@code leaderCommit} by (never negative). */
  public long lag(long leaderCommit) {
    return Math.max(0, leaderCommit - commitIndex);
  }
}

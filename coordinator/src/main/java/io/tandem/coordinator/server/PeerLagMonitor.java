package io.tandem.coordinator.server;

import io.tandem.coordinator.ratis.FollowerProgress;
import io.tandem.coordinator.ratis.RaftNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap and catch-up check (RATIS-NOTES.md: a follower once kept a conflicting entry and
 * never recovered). On the leader, once a second, from what each follower really reported (its
 * own commit index in the leader's live follower record, not Ratis' commit infos, which keep the
 * highest value ever seen): says when a peer is behind, warns once when it stays behind for
 * longer than the allowed time, and says when it caught up.
 */
final class PeerLagMonitor implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerLagMonitor.class);
  static final long BEHIND_WARN_NANOS = 10_000_000_000L;
  /** Behind for this long is said once at INFO (a healthy follower trails by one heartbeat). */
  static final long BEHIND_INFO_NANOS = 2_000_000_000L;

  private final RaftNode raft;
  private final LongSupplier nanos;
  private final Map<String, Long> behindSince = new HashMap<>();
  private final Set<String> announced = new HashSet<>();
  private final Set<String> warned = new HashSet<>();
  private long reportedTerm = -1;

  PeerLagMonitor(RaftNode raft, LongSupplier nanos) {
    this.raft = raft;
    this.nanos = nanos;
  }

  @Override
  public void run() {
    try {
      check();
    } catch (RuntimeException e) {
      // server closing
    }
  }

  private void check() {
    if (!raft.isLeaderReady()) {
      behindSince.clear();
      announced.clear();
      warned.clear();
      return;
    }
    long now = nanos.getAsLong();
    long commit = raft.commitIndex();
    Map<String, FollowerProgress> followers = raft.followerProgress();
    boolean allCaughtUp = true;
    for (var p : raft.members()) {
      if (p.id().equals(raft.selfId())) {
        continue;
      }
      FollowerProgress f = followers.get(p.id());
      long peerCommit = f == null ? -1 : f.commitIndex();
      if (peerCommit >= commit) {
        behindSince.remove(p.id());
        warned.remove(p.id());
        if (announced.remove(p.id())) {
          LOG.info("peer {} caught up (commit index {})", p.id(), peerCommit);
        }
        continue;
      }
      allCaughtUp = false;
      long since = behindSince.computeIfAbsent(p.id(), k -> now);
      if (now - since > BEHIND_INFO_NANOS && announced.add(p.id())) {
        LOG.info(behindMessage(p.id(), peerCommit, commit, raft.followerAnsweredRequestAgeNanos().get(p.id()),
            raft.term()));
      }
      if (now - since > BEHIND_WARN_NANOS && warned.add(p.id())) {
        Long lastReply = raft.followerLastContactMillis().get(p.id());
        LOG.warn("peer {} has been behind for over {} s: its commit index {} < leader's {} (match"
            + " index {}, next index {}, last reply {} ms ago); check that it runs and can reach"
            + " this peer", p.id(), BEHIND_WARN_NANOS / 1_000_000_000L, peerCommit, commit,
            f == null ? -1 : f.matchIndex(), f == null ? -1 : f.nextIndex(),
            lastReply == null ? "never" : lastReply);
      }
    }
    long term = raft.term();
    if (allCaughtUp && term != reportedTerm) {
      reportedTerm = term;
      LOG.info("all {} peers caught up at commit index {} (term {})", raft.members().size(),
          commit, term);
    }
  }

  /** No answer for this long: the peer is not catching up, it is not there (or cut off). */
  static final long SILENT_AFTER_NANOS = 1_000_000_000L;

  /**
   * The INFO line for a peer behind the leader: "catching up" only if it answers this leader; a
   * peer that never answered since this leader's election (the old leader, dead) or has gone
   * silent is said to be so, not to be catching up.
   *
   * @param answeredAgeNanos how long ago the newest request the peer answered was sent; null if it
   *     has not answered this leader
   */
  static String behindMessage(String id, long peerCommit, long commit, Long answeredAgeNanos, long term) {
    String behind = (commit - peerCommit) + " entries behind (its commit index " + peerCommit + " < leader's "
        + commit + ")";
    if (answeredAgeNanos == null) {
      return "peer " + id + " has not answered this leader since its election (term " + term + "): it is "
          + behind + "; it is down, stopped or cut off from this peer";
    }
    if (answeredAgeNanos > SILENT_AFTER_NANOS) {
      return "peer " + id + " has not answered for " + answeredAgeNanos / 1_000_000 + " ms: it is " + behind
          + "; it is down, stopped or cut off from this peer";
    }
    return "peer " + id + " is " + behind + "; catching up";
  }
}

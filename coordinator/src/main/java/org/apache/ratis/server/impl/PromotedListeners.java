package org.apache.ratis.server.impl;

import org.apache.ratis.server.leader.FollowerInfo;

/**
 * Tandem's one reach into Ratis internals (this package, Ratis 3.3.0; see {@code RaftNode#markCaughtUp}).
 * The leader marks a peer it staged as caught up at the end of the staging only if the peer is a
 * FOLLOWER of the new configuration ({@code LeaderStateImpl.checkStaging}: {@code containsInConf}
 * without roles), and a new leader marks every peer caught up. A peer staged as a LISTENER and
 * then promoted to a follower by a second change (no staging: it is in the configuration already)
 * therefore stays "bootstrapping" on the leader that added it. The next staging of another peer
 * on that leader then treats it as a new peer too, and if that staging fails the leader stops
 * sending it the log ({@code stopAndRemoveSenders} of every peer not caught up) until a leader
 * change. Marking it caught up once it is a member is what the leader would have done had it
 * staged it as a follower.
 */
public final class PromotedListeners {
  private PromotedListeners() {}

  /** Marks a follower the leader staged as a listener as caught up; false if not a Ratis record. */
  public static boolean markCaughtUp(FollowerInfo follower) {
    if (follower instanceof FollowerInfoImpl f) {
      f.catchUp();
      return true;
    }
    return false;
  }
}

package io.tandem.coordinator.server;

import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.ratis.RaftNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the peers of this node's config file with the Raft configuration it really runs with
 * (on a restart Ratis uses the one stored in the data dir, whatever the file says), at start and
 * then once a second, and says plainly what differs and what to do; logs again only when the
 * difference changes. Also says why a node sits as a candidate without a leader: after
 * {@link #LEADERLESS_WARN_MILLIS} without one, no peer grants it a vote, which is what a new node
 * with a foreign peer list sees (the cluster does not know it). A node started with {@code join:
 * true} that is not yet a member (a Raft listener waiting for {@code tandemctl members add}) is
 * expected to be missing from the cluster's configuration and to have no leader: for it both
 * checks say so, once, and name the command that adds it instead of warning.
 */
final class PeerListCheck implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerListCheck.class);
  static final long LEADERLESS_WARN_MILLIS = 10_000;

  private final RaftNode raft;
  private final String configFile;
  private String reported = "";
  private boolean leaderlessWarned;
  private boolean joinWaitSaid;

  PeerListCheck(RaftNode raft, String configFile) {
    this.raft = raft;
    this.configFile = configFile;
  }

  @Override
  public void run() {
    try {
      checkPeers();
      checkLeaderless();
    } catch (RuntimeException e) {
      // server closing
    }
  }

  /** The differences, one sentence each (empty: the lists agree). */
  static List<String> differences(List<PeerConfig> configured, Map<String, String> running) {
    Map<String, String> conf = new TreeMap<>();
    configured.forEach(p -> conf.put(p.id(), p.raft().toString()));
    List<String> out = new ArrayList<>();
    conf.forEach((id, addr) -> {
      String actual = running.get(id);
      if (actual == null) {
        out.add("peer " + id + " (raft " + addr + ") is in the config but not in the cluster's Raft"
            + " configuration");
      } else if (!actual.equals(addr)) {
        out.add("peer " + id + " has raft address " + addr + " in the config but " + actual
            + " in the cluster's Raft configuration (which Raft uses)");
      }
    });
    running.forEach((id, addr) -> {
      if (!conf.containsKey(id)) {
        out.add("peer " + id + " (raft " + addr + ") is in the cluster's Raft configuration but not"
            + " in the config");
      }
    });
    return out;
  }

  /**
   * True for a node started with {@code join: true} that is not a member yet: a Raft listener
   * outside the cluster's configuration, waiting for {@code tandemctl members add}.
   */
  static boolean waitingToJoin(boolean join, RaftPeerRole role, String selfId, Map<String, String> running) {
    return join && role == RaftPeerRole.LISTENER && !running.containsKey(selfId);
  }

  /** What a node waiting to join is waiting for, and the command that ends the wait. */
  static String joinWaitMessage(PeerConfig self, Map<String, String> running) {
    return self.id() + " waits to be added to the cluster (join: true): it is a Raft listener, not"
        + " a member of " + running + " yet, and has no leader until then. Add it with: tandemctl"
        + " members add " + self.id() + " " + self.raft() + " " + self.grpc() + " (if that fails with"
        + " \"did not catch up\", check that the leader can reach " + self.raft() + " and that"
        + " clusterId is the same as on the members)";
  }

  /** {@link #differences}, less this node's own absence when it is waiting to join. */
  static List<String> differencesToReport(
      List<PeerConfig> configured, Map<String, String> running, String selfId, boolean waitingToJoin) {
    List<PeerConfig> compared = new ArrayList<>(configured);
    if (waitingToJoin) {
      compared.removeIf(p -> p.id().equals(selfId));
    }
    return differences(compared, running);
  }

  private boolean waitingToJoin() {
    return waitingToJoin(raft.config().join(), raft.role(), raft.selfId(), raft.raftConfPeers());
  }

  private void sayJoinWaitOnce() {
    if (!joinWaitSaid) {
      joinWaitSaid = true;
      LOG.info(joinWaitMessage(raft.config().self(), raft.raftConfPeers()));
    }
  }

  private void checkPeers() {
    boolean joining = waitingToJoin();
    if (joining) {
      sayJoinWaitOnce();
    }
    List<String> diff =
        differencesToReport(raft.config().peers(), raft.raftConfPeers(), raft.selfId(), joining);
    String text = String.join("; ", diff);
    if (text.equals(reported)) {
      return;
    }
    reported = text;
    if (diff.isEmpty()) {
      LOG.info("the peers of {} match the cluster's Raft configuration again", configFile);
      return;
    }
    LOG.warn("the peers of {} differ from the Raft configuration {} runs with ({}, from its data"
            + " dir {}): {}. Raft keeps using the stored configuration; fix peers[] in {} to"
            + " match it on every node (same ids and addresses, in the same order), or, if this"
            + " node's data dir belongs to another cluster, move it aside", configFile,
        raft.selfId(), raft.raftConfPeers(), raft.config().dataDir(), text, configFile);
  }

  private void checkLeaderless() {
    boolean leaderless = raft.leaderId().isEmpty();
    RaftPeerRole role = raft.role();
    if (!leaderless) {
      if (leaderlessWarned) {
        LOG.info("{} has a leader again: {}", raft.selfId(), raft.leaderId().orElse("?"));
      }
      if (joinWaitSaid && !waitingToJoin()) {
        joinWaitSaid = false;
        LOG.info("{} was added: it is a {} of {}, leader {}", raft.selfId(), role,
            raft.raftConfPeers().keySet(), raft.leaderId().orElse("?"));
      }
      leaderlessWarned = false;
      return;
    }
    if (waitingToJoin()) {
      return; // expected: said once by sayJoinWaitOnce
    }
    if (!leaderlessWarned && raft.roleElapsedMillis() > LEADERLESS_WARN_MILLIS
        && role != RaftPeerRole.LEADER) {
      leaderlessWarned = true;
      LOG.warn("{} has had no leader for over {} s ({} in term {}): no peer has granted it a vote."
              + " Check that the peers {} run and can reach this node's raft address {}, and that"
              + " they list {} with that address: peers whose Raft configuration does not include"
              + " this node (a new node with a foreign peer list, or another cluster) never vote"
              + " for it", raft.selfId(), LEADERLESS_WARN_MILLIS / 1000, role, raft.term(),
          raft.raftConfPeers(), raft.config().self().raft(), raft.selfId());
    }
  }
}

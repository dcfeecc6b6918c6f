package io.tandem.coordinator.ratis;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LogAppender;

/**
 * The leader's live log appenders, one per follower: what each follower really acknowledged.
 * Ratis' commit infos ({@code Division.getCommitInfos()}) keep the highest value ever reported
 * for a peer, for the life of this server, so a follower that lost its log would still read as
 * caught up there; a (re)started appender starts from -1.
 */
final class Followers {
  private final Map<String, LogAppender> appenders = new ConcurrentHashMap<>();

  void add(LogAppender appender) {
    appenders.put(appender.getFollowerId().toString(), appender);
  }

  /** Progress of every follower with a running appender (empty unless this server leads). */
  Map<String, FollowerProgress> progress() {
    Map<String, FollowerProgress> out = new LinkedHashMap<>();
    appenders.forEach((id, a) -> {
      if (a.isRunning()) {
        FollowerInfo f = a.getFollower();
        out.put(id, new FollowerProgress(f.getMatchIndex(), f.getCommitIndex(), f.getNextIndex()));
      }
    });
    return out;
  }
}

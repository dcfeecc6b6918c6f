package io.tandem.coordinator.ratis;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.util.Timestamp;

/**
 * The leader's live log appenders, one per follower: what each follower really acknowledged.
 * Ratis' commit infos ({@code Division.getCommitInfos()}) keep the highest value ever reported
 * for a peer, for the life of this server, so a follower that lost its log would still read as
 * caught up there; a (re)started appender starts from -1.
 */
final class Followers {
  /** An appender and when it was created (its follower record starts with a time no later). */
  private record Appender(LogAppender appender, Timestamp created) {}

  private final Map<String, Appender> appenders = new ConcurrentHashMap<>();

  void add(LogAppender appender) {
    appenders.put(appender.getFollowerId().toString(), new Appender(appender, Timestamp.currentTime()));
  }

  /** The running appender of follower {@code id}, if this server leads. */
  Optional<LogAppender> running(String id) {
    return Optional.ofNullable(appenders.get(id)).map(Appender::appender).filter(LogAppender::isRunning);
  }

  /** Progress of every follower with a running appender (empty unless this server leads). */
  Map<String, FollowerProgress> progress() {
    Map<String, FollowerProgress> out = new LinkedHashMap<>();
    appenders.forEach((id, a) -> {
      if (a.appender().isRunning()) {
        FollowerInfo f = a.appender().getFollower();
        out.put(id, new FollowerProgress(f.getMatchIndex(), f.getCommitIndex(), f.getNextIndex()));
      }
    });
    return out;
  }

  /**
   * Marks a follower that was staged as a Raft listener and then promoted as caught up, as the
   * leader does for a follower it staged ({@link org.apache.ratis.server.impl.PromotedListeners}).
   * False if this server has no running appender for it.
   */
  boolean markCaughtUp(String id) {
    Appender a = appenders.get(id);
    return a != null && a.appender().isRunning()
        && org.apache.ratis.server.impl.PromotedListeners.markCaughtUp(a.appender().getFollower());
  }

  /**
   * For every follower whose appender has had an answer: nanoseconds since the
   * leader sent the newest AppendEntries (a heartbeat or entries) that the follower answered. A
   * follower with an age below {@code t} was running less than {@code t} ago, as it received that
   * request then. Ratis starts the follower record's time at its creation (not an answer), so a
   * time no later than the appender's creation means no answer yet, and the follower is left out.
   */
  Map<String, Long> answeredRequestAgeNanos() {
    Map<String, Long> out = new LinkedHashMap<>();
    appenders.forEach((id, a) -> {
      // a stopped appender's last answer only gets older: it never confirms anything new
      Timestamp sent = a.appender().getFollower().getLastRespondedAppendEntriesSendTime();
      if (sent != null && sent.compareTo(a.created()) > 0) {
        out.put(id, sent.elapsedTime().toLong(TimeUnit.NANOSECONDS));
      }
    });
    return out;
  }
}

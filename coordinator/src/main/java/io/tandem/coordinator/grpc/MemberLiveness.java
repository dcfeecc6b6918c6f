package io.tandem.coordinator.grpc;

import io.tandem.coordinator.ratis.RaftNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Which coordinators a membership change may count on ({@link Quorum}), confirmed after the
 * request arrived. A recent last answer is not enough: a coordinator killed a moment ago still
 * has one (CI: {@code members add c4} within a second of c3's SIGKILL counted c3 as live, was
 * proposed, the four then needed the cold c4 for their majority, and the leader stepped down).
 *
 * <p>So a follower counts only once it answered an AppendEntries that the leader sent after the
 * request arrived: it was running then. The leader sends each follower one at least every
 * {@link RaftNode#HEARTBEAT_INTERVAL_MS} ms, so on a healthy cluster the change waits about one
 * heartbeat. It waits at most {@link #CONFIRM_WITHIN_MILLIS} (40 heartbeats) and then refuses; a
 * follower silent that long already is refused at once. The margin: with twice as many busy
 * threads as cores in the coordinators' JVM, on a machine with a load average of 4 on 2 cores, a
 * live follower went up to 1.3 s without an answered heartbeat (MemberAddUnderLoadTest prints
 * it). A wrong refusal costs the operator a retry, a wrong acceptance the leader; a longer bound
 * only makes a refusal come later, never a healthy change (which goes on at the first answers).
 *
 * <p>Only current members count: a coordinator being added answers the leader too once it is a
 * Raft listener, caught up, but {@link Quorum} never lets a change depend on it.
 *
 * <p>Pure: the caller samples the leader's follower records and asks again until the verdict is
 * not {@link Wait}. Every time is on the Raft server's clock ({@code System.nanoTime}).
 */
final class MemberLiveness {
  static final long CONFIRM_WITHIN_MILLIS = 3000;

  private MemberLiveness() {}

  sealed interface Verdict {}

  /** Propose the change: the coordinators it needs answered after the request arrived. */
  record Proceed(Set<String> live) implements Verdict {}

  /** Refused, with a message for the operator. */
  record Refuse(String why) implements Verdict {}

  /** Not every coordinator the change needs has answered since the request arrived: ask again. */
  record Wait() implements Verdict {}

  /**
   * @param self the leader (always live)
   * @param sinceRequestNanos time since the request arrived, taken before the two samples
   * @param lastReplyMillis per follower, milliseconds since its last reply (-1: never)
   * @param answeredRequestAgeNanos per follower that answered, the age of the newest request it
   *     answered ({@link RaftNode#followerAnsweredRequestAgeNanos})
   */
  static Verdict judge(List<String> current, List<String> next, String self, long sinceRequestNanos,
      Map<String, Long> lastReplyMillis, Map<String, Long> answeredRequestAgeNanos) {
    // silent for the whole window already: waiting would not change the answer
    Set<String> recent = new LinkedHashSet<>(List.of(self));
    lastReplyMillis.forEach((id, ms) -> {
      if (current.contains(id) && ms >= 0 && ms <= CONFIRM_WITHIN_MILLIS) {
        recent.add(id);
      }
    });
    Optional<String> hopeless = Quorum.refusal(current, next, recent);
    if (hopeless.isPresent()) {
      return new Refuse(hopeless.get() + silence(current, recent, lastReplyMillis, answeredRequestAgeNanos,
          sinceRequestNanos));
    }
    Set<String> confirmed = new LinkedHashSet<>(List.of(self));
    answeredRequestAgeNanos.forEach((id, age) -> {
      if (current.contains(id) && age < sinceRequestNanos) {
        confirmed.add(id);
      }
    });
    Optional<String> refusal = Quorum.refusal(current, next, confirmed);
    if (refusal.isEmpty()) {
      return new Proceed(confirmed);
    }
    if (sinceRequestNanos >= TimeUnit.MILLISECONDS.toNanos(CONFIRM_WITHIN_MILLIS)) {
      return new Refuse(refusal.get() + silence(current, confirmed, lastReplyMillis, answeredRequestAgeNanos,
          sinceRequestNanos));
    }
    return new Wait();
  }

  /**
   * Which members did not count, and when the leader last heard from each (Ratis' last-reply
   * time starts at the term's start for a follower that never answered: not an answer).
   */
  private static String silence(List<String> current, Set<String> live, Map<String, Long> lastReplyMillis,
      Map<String, Long> answeredRequestAgeNanos, long waitedNanos) {
    List<String> heard = new ArrayList<>();
    for (String id : current) {
      if (!live.contains(id)) {
        long ms = lastReplyMillis.getOrDefault(id, -1L);
        heard.add(ms < 0 || !answeredRequestAgeNanos.containsKey(id) ? id + " has not answered this leader"
            : id + " last answered the leader " + ms + " ms ago");
      }
    }
    if (heard.isEmpty()) {
      return "";
    }
    // after a wait of at least a heartbeat, say that none came meanwhile
    String waited = waitedNanos < TimeUnit.MILLISECONDS.toNanos(RaftNode.HEARTBEAT_INTERVAL_MS) ? ""
        : (heard.size() == 1 ? ", and it answered no heartbeat" : ", and none of them answered a heartbeat")
            + " sent in the " + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms after this request";
    return " (" + String.join("; ", heard) + waited + "; a running coordinator answers a heartbeat every "
        + RaftNode.HEARTBEAT_INTERVAL_MS + " ms)";
  }
}

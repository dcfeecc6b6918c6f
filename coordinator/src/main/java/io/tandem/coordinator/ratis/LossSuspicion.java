package io.tandem.coordinator.ratis;

import java.util.concurrent.TimeUnit;

/**
 * Decides from a follower's INCONSISTENCY replies that it lost entries it had acknowledged (see
 * {@link ResyncingLogAppender}). One such reply is not enough: Ratis also gets a stale one (a reply
 * to a request sent before the follower acknowledged more; its own handling keeps the next index
 * above the match index for that reason), and a resync of a healthy follower after one of those
 * cost a leader election on a fresh cluster (the follower heard nothing while its appender was
 * replaced). A follower that really lost its log answers every heartbeat that way while its match
 * index stays put: {@value #REPLIES} such replies over at least {@value #SPAN_MILLIS} ms, with no
 * progress of the match index in between, are the loss. Not thread-safe: one appender's reply thread.
 */
final class LossSuspicion {
  static final int REPLIES = 3;
  static final long SPAN_MILLIS = 300;

  private long match = Long.MIN_VALUE;
  private int replies;
  private long firstNanos;

  /**
   * Whether this INCONSISTENCY reply says the follower lost acknowledged entries (up to
   * {@code match}). A follower answers INCONSISTENCY with a next index in three cases (Ratis'
   * {@code checkInconsistentAppendEntries}): a snapshot installation in progress (its log's end);
   * the request's previous entry not found (at most its log's end + 1 and the previous index); or
   * the request's first entry already held, at or below its commit or snapshot index (that index +
   * 1, whatever its log holds above it). The last says nothing about a loss: its next index is
   * above the request's first entry, never so in the other two.
   */
  static boolean saysLost(long match, long requestFirstIndex, long replyNextIndex) {
    boolean firstEntryAlreadyHeld = requestFirstIndex >= 0 && requestFirstIndex < replyNextIndex;
    return replyNextIndex <= match && !firstEntryAlreadyHeld;
  }

  /** Observes one INCONSISTENCY reply; true once the loss is established (then it starts over). */
  boolean observe(long match, long requestFirstIndex, long replyNextIndex, long nowNanos) {
    if (!saysLost(match, requestFirstIndex, replyNextIndex)) {
      replies = 0;
      return false;
    }
    if (replies == 0 || match != this.match) {
      this.match = match;
      replies = 0;
      firstNanos = nowNanos;
    }
    replies++;
    if (replies >= REPLIES && nowNanos - firstNanos >= TimeUnit.MILLISECONDS.toNanos(SPAN_MILLIS)) {
      replies = 0;
      return true;
    }
    return false;
  }
}

package io.tandem.coordinator.grpc;

import io.grpc.stub.StreamObserver;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.ratis.NotLeader;
import io.tandem.coordinator.ratis.RaftNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits, without blocking a thread, until the coordinators a membership change needs answered the
 * leader after the call ({@link MemberLiveness}), then says go on or why not. Also the timer of
 * the other waits of a change (an added coordinator's catch-up).
 */
final class LivenessGate {
  private static final Logger LOG = LoggerFactory.getLogger(MemberChanges.class);
  /** How often a change looks again whether the coordinators it needs have answered. */
  static final long POLL_MILLIS = 10;
  private static final ScheduledExecutorService POLLS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tandem-member-change-confirm");
    t.setDaemon(true);
    return t;
  });

  /** What became of a confirmation. */
  interface Outcome {
    /** The change keeps a majority with {@code live}, heard from within {@code waitedMillis}. */
    void proceed(Set<String> live, long waitedMillis);

    /** Refused, with the operator's message. */
    void refused(String why);

    /** This server cannot judge (no longer the ready leader, or Raft closing). */
    void failed(RuntimeException e);
  }

  private final ServiceContext ctx;

  LivenessGate(ServiceContext ctx) {
    this.ctx = ctx;
  }

  /** Runs {@code task} after {@link #POLL_MILLIS}, on the gate's timer thread. */
  static void later(Runnable task) {
    POLLS.schedule(task, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * {@link #confirm}, answering the operator's call itself when the change is refused or cannot be
   * judged; runs {@code change} when it may go on (logged with {@code then} appended).
   */
  void confirmThen(List<PeerConfig> current, List<PeerConfig> next, String what, String then,
      StreamObserver<?> out, Runnable change) {
    confirm(current, next, new Outcome() {
      @Override
      public void proceed(Set<String> live, long waitedMillis) {
        LOG.info("membership change: {} (from {} to {}; counting {}, heard from after the request, {} ms){}", what,
            ids(current), ids(next), live, waitedMillis, then);
        change.run();
      }

      @Override
      public void refused(String why) {
        LOG.warn("refused to {}: {}", what, why);
        out.onError(Errors.precondition("refused to " + what + ": " + why));
      }

      @Override
      public void failed(RuntimeException e) {
        out.onError(ctx.errors().of(e));
      }
    });
  }

  /** Confirms the change from {@code current} to {@code next} with answers given after now. */
  void confirm(List<PeerConfig> current, List<PeerConfig> next, Outcome outcome) {
    poll(ids(current), ids(next), System.nanoTime(), outcome);
  }

  private void poll(List<String> current, List<String> next, long sinceNanos, Outcome outcome) {
    MemberLiveness.Verdict verdict;
    long waitedNanos;
    try {
      RaftNode raft = ctx.raft();
      if (!raft.isLeaderReady()) {
        throw new NotLeader(raft.leaderId());
      }
      waitedNanos = System.nanoTime() - sinceNanos; // before the samples (see MemberLiveness)
      Map<String, Long> answered = raft.followerAnsweredRequestAgeNanos();
      verdict = MemberLiveness.judge(current, next, raft.selfId(), waitedNanos,
          raft.followerLastContactMillis(), answered);
    } catch (RuntimeException e) {
      outcome.failed(e);
      return;
    }
    if (verdict instanceof MemberLiveness.Wait) {
      later(() -> poll(current, next, sinceNanos, outcome));
    } else if (verdict instanceof MemberLiveness.Refuse refuse) {
      outcome.refused(refuse.why());
    } else {
      outcome.proceed(((MemberLiveness.Proceed) verdict).live(), waitedNanos / 1_000_000);
    }
  }

  static List<String> ids(List<PeerConfig> peers) {
    return peers.stream().map(PeerConfig::id).toList();
  }
}

package io.tandem.agent.link;

import io.grpc.StatusRuntimeException;
import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.http.AgentMetrics;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a heartbeat every renewInterval, and at once when asked ({@link #now()}), one at a time, each
 * with the deadline rpcTimeout. The send time is taken before the request leaves. A failed call
 * follows the leader hint or rotates to the next coordinator and is retried at once, so a frozen
 * leader costs one deadline. A leader that sheds load (RESOURCE_EXHAUSTED) is asked again after
 * its retry-after hint with jitter ({@link Backoffs}); a redirect after a leader change waits a
 * random part of {@link Backoffs#RECONNECT_SPREAD_NANOS} so that agents do not arrive as a herd.
 * A heartbeat of an agent whose flows run carries {@link CoordinatorEndpoints#RUNS_FLOWS_HEADER},
 * so that a busy leader serves it ahead of standbys' heartbeats.
 */
final class HeartbeatLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatLoop.class);
  /** Marks a heartbeat whose agent runs flows (CoordinatorEndpoints.RUNS_FLOWS_HEADER). */
  private static final io.grpc.ClientInterceptor RUNS_FLOWS =
      io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(CoordinatorEndpoints.runsFlowsHeaders());
  private final CoordinatorEndpoints endpoints;
  private final LeaseSettings lease;
  private final Supplier<HeartbeatRequest> request;
  private final LinkListener listener;
  private final AgentMetrics metrics;
  private final Backoffs backoffs;
  private final HeartbeatSends sends;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private boolean demanded;
  /** A heartbeat was answered once: a later redirect is a leader change, not the first contact. */
  private boolean served;
  /** The coordinator that answered the last heartbeat (null before the first answer). */
  private String lastServedBy;
  private volatile boolean running = true;
  private final ContactLog contact = new ContactLog(System.nanoTime());

  HeartbeatLoop(CoordinatorEndpoints endpoints, LeaseSettings lease,
      Supplier<HeartbeatRequest> request, LinkListener listener, AgentMetrics metrics,
      Backoffs backoffs, HeartbeatSends sends) {
    this.sends = sends;
    this.endpoints = endpoints;
    this.lease = lease;
    this.request = request;
    this.listener = listener;
    this.metrics = metrics;
    this.backoffs = backoffs;
  }

  /** Asks for a heartbeat now (coalesced with one already due). */
  void now() {
    lock.lock();
    try {
      demanded = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void stop() {
    running = false;
    now();
  }

  @Override
  public void run() {
    long interval = lease.renewInterval().toNanos();
    long next = System.nanoTime();
    while (running) {
      if (!awaitTurn(next)) {
        return;
      }
      long started = System.nanoTime();
      next = started + interval;
      long wait = roundTrip();
      if (wait > 0) {
        next = System.nanoTime() + wait; // the leader asked to retry later: back off, with jitter
      }
    }
  }

  private boolean awaitTurn(long dueNanos) {
    lock.lock();
    try {
      while (running && !demanded) {
        long left = dueNanos - System.nanoTime();
        if (left <= 0) {
          break;
        }
        wake.awaitNanos(left);
      }
      demanded = false;
      return running;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  private static void log(ContactLog.Line line) {
    if (line == null) {
      return;
    }
    if (line.level() == ContactLog.Level.WARN) {
      log.warn(line.text());
    } else {
      log.info(line.text());
    }
  }

  /** One heartbeat, following redirects; returns a backoff (ns) the leader asked for, or 0. */
  private long roundTrip() {
    int attempts = endpoints.addresses().size();
    for (int i = 0; i < attempts && running; i++) {
      String address = endpoints.target();
      try {
        HeartbeatRequest numbered = request.get();
        long sentAt = System.nanoTime();
        HeartbeatRequest req = numbered.toBuilder().setHeartbeatSeq(sends.next(sentAt)).build();
        AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(endpoints.channel(address));
        if (CoordinatorEndpoints.runsFlows(req.getRuntime(), req.getRunningToken())) {
          stub = stub.withInterceptors(RUNS_FLOWS); // served ahead of standbys by a busy leader
        }
        HeartbeatResponse r = stub
            .withDeadlineAfter(contact.deadline(lease.rpcTimeout()).toNanos(), TimeUnit.NANOSECONDS)
            .heartbeat(req);
        metrics.heartbeat(r.getLeaseMillis() > 0 ? "granted" : "refused", System.nanoTime() - sentAt);
        log(contact.onAnswer(address, System.nanoTime()));
        listener.onHeartbeat(sentAt, r);
        served = true;
        lastServedBy = address;
        return 0;
      } catch (StatusRuntimeException e) {
        java.util.Optional<Long> shed = backoffs.shedDelayNanos(e, lease.renewInterval().toNanos());
        if (shed.isPresent()) {
          // The leader is alive but busy: not a failure of the coordinator, no rotation.
          metrics.heartbeat("shed", 0);
          return Math.max(1, shed.get());
        }
        metrics.heartbeat("failed", 0);
        backoffs.onFailure(address, e);
        boolean retry = endpoints.onFailure(address, e);
        if (i == attempts - 1 || !retry) {
          log(contact.onFailure(address, e.getStatus().getCode() + (e.getStatus().getDescription() == null
              ? "" : ": " + e.getStatus().getDescription()), System.nanoTime()));
          return 0;
        }
        if (served && Backoffs.isLeaderChange(CoordinatorEndpoints.leaderHint(e), lastServedBy)) {
          // A leader change: every agent learns it at about the same time; spread the redials.
          // Not when the hint names the leader that served the last heartbeat (a deadline missed
          // at a busy leader, then a follower's redirect back to it): that is no herd, and the
          // wait would only cost an active part of its lease.
          sleepNanos(backoffs.reconnectSpreadNanos());
        }
      } catch (RuntimeException e) {
        metrics.heartbeat("failed", 0);
        log.warn("heartbeat to {} failed unexpectedly", address, e);
        return 0;
      }
    }
    return 0;
  }

  private void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}

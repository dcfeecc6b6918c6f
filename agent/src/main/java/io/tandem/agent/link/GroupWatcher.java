package io.tandem.agent.link;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.WatchGroupRequest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one WatchGroup stream open to the coordinator the agent currently talks to. The stream is
 * re-opened after an error, and moved when the target changes (the heartbeats found another leader
 * or gave up on a frozen one); re-opening backs off from 50 ms to 1 s while nothing arrives. The
 * first message of a stream is the current assignment: a stream silent for {@link #FIRST_MESSAGE_MS}
 * after opening is re-opened too.
 */
final class GroupWatcher implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(GroupWatcher.class);
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 1000;
  static final long FIRST_MESSAGE_MS = 2000;
  private final CoordinatorEndpoints endpoints;
  private final WatchGroupRequest request;
  private final LinkListener listener;
  private final Backoffs backoffs;
  private volatile boolean running = true;
  private volatile ClientCallStreamObserver<WatchGroupRequest> current;
  private boolean warned;

  private final HeartbeatSends sends;

  GroupWatcher(CoordinatorEndpoints endpoints, WatchGroupRequest request, LinkListener listener,
      Backoffs backoffs, HeartbeatSends sends) {
    this.sends = sends;
    this.endpoints = endpoints;
    this.request = request;
    this.listener = listener;
    this.backoffs = backoffs;
  }

  void stop() {
    running = false;
    ClientCallStreamObserver<WatchGroupRequest> c = current;
    if (c != null) {
      c.cancel("agent stopping", null);
    }
  }

  @Override
  public void run() {
    long backoff = MIN_BACKOFF_MS;
    while (running) {
      try {
        backoff = watchOnce(backoff);
      } catch (RuntimeException e) {
        log.error("watch stream loop failed; re-opening in {} ms", MAX_BACKOFF_MS, e);
        sleep(MAX_BACKOFF_MS);
      }
    }
  }

  /** Opens one stream, follows it until it ends; returns the next backoff. */
  private long watchOnce(long backoff) {
    String address = endpoints.target();
    log.debug("opening the watch stream to {}", address);
    long openedAt = System.nanoTime();
    CountDownLatch ended = new CountDownLatch(1);
    AtomicBoolean received = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AgentServiceGrpc.newStub(endpoints.channel(address)).watchGroup(request,
        new ClientResponseObserver<WatchGroupRequest, GroupUpdate>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<WatchGroupRequest> call) {
            current = call;
          }

          @Override
          public void onNext(GroupUpdate u) {
            received.set(true);
            listener.onGroupUpdate(u, u.getLeaseMillis() > 0 ? sends.sentAt(u.getLeaseHeartbeatSeq())
                : java.util.OptionalLong.empty());
          }

          @Override
          public void onError(Throwable t) {
            failure.set(t);
            ended.countDown();
          }

          @Override
          public void onCompleted() {
            ended.countDown();
          }
        });
    ClientCallStreamObserver<WatchGroupRequest> call = current;
    try {
      while (running && !ended.await(50, TimeUnit.MILLISECONDS)) {
        String why = null;
        if (!address.equals(endpoints.target())) {
          why = "following the leader to " + endpoints.target();
        } else if (!received.get() && System.nanoTime() - openedAt > FIRST_MESSAGE_MS * 1_000_000) {
          why = "no first message within " + FIRST_MESSAGE_MS + " ms";
          log.info("watch stream to {} sent nothing within {} ms; re-opening", address,
              FIRST_MESSAGE_MS);
        }
        if (why != null) {
          call.cancel(why, null);
          ended.await(1, TimeUnit.SECONDS);
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.cancel("interrupted", null);
      running = false;
      return backoff;
    }
    if (!running) {
      return backoff;
    }
    Throwable f = failure.get();
    log.debug("watch stream to {} ended: {}", address, f == null ? "completed" : Status.fromThrowable(f));
    if (f != null && Status.fromThrowable(f).getCode() != Status.Code.CANCELLED) {
      backoffs.onFailure(address, f);
      endpoints.onFailure(address, f);
      java.util.Optional<String> leader = CoordinatorEndpoints.leaderHint(f);
      if (leader.isPresent()) {
        // a follower named the leader: a redirect, not a failure (every start may begin with one)
        log.info("watch stream: {} is not the leader; following the leader at {}", address, leader.get());
      } else if (!warned && !received.get()) {
        Status st = Status.fromThrowable(f);
        log.warn("watch stream to {} failed: {}{}; re-opening", address, st.getCode(),
            st.getDescription() == null ? "" : " (" + st.getDescription() + ")");
        warned = true;
      }
    }
    if (received.get()) {
      warned = false;
      if (f != null) {
        // A stream that had worked ended (a leader change, a restart): every agent's stream ends
        // at the same moment, so spread the re-opening instead of arriving as a herd.
        sleep(backoffs.reconnectSpreadNanos() / 1_000_000);
      }
      return MIN_BACKOFF_MS;
    }
    sleep(backoff);
    return Math.min(MAX_BACKOFF_MS, backoff * 2);
  }

  private void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}

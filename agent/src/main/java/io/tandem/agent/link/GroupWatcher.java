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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one WatchGroup stream open to the coordinator the agent currently talks to. The stream is
 * re-opened after an error, and moved when the target changes (the heartbeats found another leader
 * or gave up on a frozen one); re-opening backs off from 50 ms to 1 s while nothing arrives.
 */
final class GroupWatcher implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(GroupWatcher.class);
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 1000;
  private final CoordinatorEndpoints endpoints;
  private final WatchGroupRequest request;
  private final LinkListener listener;
  private final Backoffs backoffs;
  private volatile boolean running = true;
  private volatile ClientCallStreamObserver<WatchGroupRequest> current;

  GroupWatcher(CoordinatorEndpoints endpoints, WatchGroupRequest request, LinkListener listener,
      Backoffs backoffs) {
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
    boolean warned = false;
    while (running) {
      String address = endpoints.target();
      CountDownLatch ended = new CountDownLatch(1);
      AtomicBoolean received = new AtomicBoolean();
      Throwable[] failure = new Throwable[1];
      AgentServiceGrpc.newStub(endpoints.channel(address)).watchGroup(request,
          new ClientResponseObserver<WatchGroupRequest, GroupUpdate>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchGroupRequest> call) {
              current = call;
            }

            @Override
            public void onNext(GroupUpdate u) {
              received.set(true);
              listener.onGroupUpdate(u);
            }

            @Override
            public void onError(Throwable t) {
              failure[0] = t;
              ended.countDown();
            }

            @Override
            public void onCompleted() {
              ended.countDown();
            }
          });
      try {
        while (running && !ended.await(50, TimeUnit.MILLISECONDS)) {
          if (!address.equals(endpoints.target())) {
            current.cancel("following the leader to " + endpoints.target(), null);
            ended.await(1, TimeUnit.SECONDS);
            break;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        current.cancel("interrupted", null);
        return;
      }
      if (!running) {
        return;
      }
      Throwable f = failure[0];
      if (f != null && Status.fromThrowable(f).getCode() != Status.Code.CANCELLED) {
        backoffs.onFailure(address, f);
        endpoints.onFailure(address, f);
        if (!warned && !received.get()) {
          log.warn("watch stream to {} failed: {}; re-opening", address, Status.fromThrowable(f));
          warned = true;
        }
      }
      if (received.get()) {
        backoff = MIN_BACKOFF_MS;
        warned = false;
        continue;
      }
      sleep(backoff);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
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

package io.tandem.agent.link;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.FencedReport;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers ReportFenced on its own thread, retried (following the leader) for up to
 * {@link #GIVE_UP_AFTER}; never blocks the caller. Heartbeats also carry the fenced token, so a
 * report that is never delivered only costs the failover the lease wait.
 */
final class FenceReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FenceReporter.class);
  static final Duration GIVE_UP_AFTER = Duration.ofSeconds(15);
  private final CoordinatorEndpoints endpoints;
  private final Duration rpcTimeout;
  private final Backoffs backoffs;
  private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tandem-report");
    t.setDaemon(true);
    return t;
  });

  FenceReporter(CoordinatorEndpoints endpoints, Duration rpcTimeout, Backoffs backoffs) {
    this.endpoints = endpoints;
    this.rpcTimeout = rpcTimeout;
    this.backoffs = backoffs;
  }

  java.util.concurrent.CompletableFuture<Boolean> report(FencedReport report) {
    java.util.concurrent.CompletableFuture<Boolean> f = new java.util.concurrent.CompletableFuture<>();
    try {
      pool.execute(() -> {
        try {
          f.complete(deliver(report));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          f.complete(false);
        } catch (RuntimeException e) {
          f.completeExceptionally(e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      f.complete(false);
    }
    return f;
  }

  private boolean deliver(FencedReport report) throws InterruptedException {
    long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
    for (int attempt = 1; System.nanoTime() - deadline < 0; attempt++) {
      String address = endpoints.target();
      try {
        AgentServiceGrpc.newBlockingStub(endpoints.channel(address))
            .withDeadlineAfter(rpcTimeout.toNanos(), TimeUnit.NANOSECONDS)
            .reportFenced(report);
        log.info("reported token {} fenced ({}) to {}", report.getToken(), report.getReason(),
            address);
        return true;
      } catch (StatusRuntimeException e) {
        backoffs.onFailure(address, e);
        if (!endpoints.onFailure(address, e)) {
          log.warn("coordinator {} refused the fence report for token {}: {}", address,
              report.getToken(), e.getStatus());
          return false;
        }
        if (CoordinatorEndpoints.leaderHint(e).isEmpty()
            && e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
          Thread.sleep(Math.min(500, 20L * attempt));
        }
      }
    }
    log.warn("could not report token {} fenced within {} s; the coordinators will see it in the "
        + "heartbeats", report.getToken(), GIVE_UP_AFTER.toSeconds());
    return false;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}

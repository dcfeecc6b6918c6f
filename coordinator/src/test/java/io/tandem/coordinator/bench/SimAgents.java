package io.tandem.coordinator.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.FencedReport;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many simulated agents in one JVM, speaking the real AgentService protocol over a few shared
 * gRPC channels: each sends one heartbeat at a time every {@code period} with the given deadline,
 * runs "flows" while it is the committed active with a lease, self-fences (reports LEASE_LOST)
 * when its lease, counted from the send time shortened by 1%, ran out, follows the leader hint,
 * and backs off with jitter on RESOURCE_EXHAUSTED (as the agent's Backoffs does).
 */
final class SimAgents implements AutoCloseable {
  private final List<String> addresses;
  private final Map<String, ManagedChannel[]> channels = new HashMap<>();
  private final ScheduledExecutorService exec;
  private final long periodNanos;
  private final long deadlineMillis;
  private final List<Sim> sims = new ArrayList<>();
  private volatile boolean running = true;
  final LatencyStats latency = new LatencyStats();
  final AtomicLong granted = new AtomicLong();
  final AtomicLong answered = new AtomicLong();
  final AtomicLong shed = new AtomicLong();
  final AtomicLong deadlineExceeded = new AtomicLong();
  final AtomicLong otherErrors = new AtomicLong();
  final AtomicLong leaseLost = new AtomicLong();

  SimAgents(List<String> addresses, int channelsPerAddress, int threads, long periodMillis, long deadlineMillis) {
    this.addresses = addresses;
    for (String a : addresses) {
      ManagedChannel[] cs = new ManagedChannel[channelsPerAddress];
      for (int i = 0; i < cs.length; i++) {
        cs[i] = ManagedChannelBuilder.forTarget(a).usePlaintext().build();
      }
      channels.put(a, cs);
    }
    this.exec = Executors.newScheduledThreadPool(threads, r -> {
      Thread t = new Thread(r, "sim-agents");
      t.setDaemon(true);
      return t;
    });
    this.periodNanos = periodMillis * 1_000_000L;
    this.deadlineMillis = deadlineMillis;
  }

  void add(String group, String instance) {
    sims.add(new Sim(sims.size(), group, instance));
  }

  int size() {
    return sims.size();
  }

  /** Starts every agent within {@code spreadMillis} (0-10 ms: "all at once"). */
  void startAll(long spreadMillis) {
    for (Sim s : sims) {
      exec.schedule(s::beat, ThreadLocalRandom.current().nextLong(spreadMillis + 1), TimeUnit.MILLISECONDS);
    }
  }

  long runningCount() {
    return sims.stream().filter(s -> s.runtime == RuntimeState.RUNTIME_RUNNING).count();
  }

  void resetCounters() {
    latency.reset();
    for (AtomicLong c : List.of(granted, answered, shed, deadlineExceeded, otherErrors, leaseLost)) {
      c.set(0);
    }
  }

  private final class Sim {
    final int index;
    final String group;
    final String instance;
    RuntimeState runtime = RuntimeState.RUNTIME_STANDBY;
    long runningToken;
    long fencedToken;
    long leaseEndNanos;
    /** Its own coordinator target, as each real agent has: follows hints, rotates on failures. */
    String target = addresses.get(0);

    Sim(int index, String group, String instance) {
      this.index = index;
      this.group = group;
      this.instance = instance;
    }

    synchronized void beat() {
      if (!running) {
        return;
      }
      long sentAt = System.nanoTime();
      if (runtime == RuntimeState.RUNTIME_RUNNING && sentAt - leaseEndNanos > 0) {
        fence(runningToken);
      }
      HeartbeatRequest req = HeartbeatRequest.newBuilder().setGroup(group).setInstance(instance)
          .setRuntime(runtime).setRunningToken(runningToken).setFencedToken(fencedToken)
          .setHost("127.0.0.1").build();
      String to = target;
      ManagedChannel[] cs = channels.get(to);
      Futures.addCallback(
          AgentServiceGrpc.newFutureStub(cs[index % cs.length])
              .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS).heartbeat(req),
          new FutureCallback<HeartbeatResponse>() {
            @Override
            public void onSuccess(HeartbeatResponse r) {
              latency.record(System.nanoTime() - sentAt);
              answered.incrementAndGet();
              answer(sentAt, r);
              next(sentAt + periodNanos);
            }

            @Override
            public void onFailure(Throwable t) {
              Status st = Status.fromThrowable(t);
              long now = System.nanoTime();
              if (st.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                latency.record(now - sentAt);
                shed.incrementAndGet();
                Metadata m = Status.trailersFromThrowable(t);
                String hint = m == null ? null : m.get(CoordinatorEndpoints.RETRY_AFTER_TRAILER);
                long base = hint == null ? periodNanos : Long.parseLong(hint) * 1_000_000L;
                long wait = Math.min(2 * periodNanos, (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble())));
                next(now + wait);
                return;
              }
              if (st.getCode() == Status.Code.DEADLINE_EXCEEDED) {
                deadlineExceeded.incrementAndGet();
              } else {
                otherErrors.incrementAndGet();
              }
              follow(t);
              next(Math.min(sentAt + periodNanos, now + 50_000_000L));
            }
          },
          MoreExecutors.directExecutor());
    }

    private synchronized void follow(Throwable t) {
      java.util.Optional<String> hint = CoordinatorEndpoints.leaderHint(t).filter(addresses::contains);
      if (hint.isPresent()) {
        target = hint.get();
      } else {
        target = addresses.get((addresses.indexOf(target) + 1) % addresses.size());
      }
    }

    private synchronized void answer(long sentAt, HeartbeatResponse r) {
      long token = r.getAssignment().getToken();
      boolean mine = r.getAssignment().getActive().equals(instance) && token > fencedToken;
      if (r.getLeaseMillis() > 0) {
        granted.incrementAndGet();
      }
      if (mine && r.getLeaseMillis() > 0) {
        runningToken = token;
        runtime = RuntimeState.RUNTIME_RUNNING;
        leaseEndNanos = sentAt + (long) (r.getLeaseMillis() * 0.99 * 1_000_000L);
      } else if (!mine && runtime == RuntimeState.RUNTIME_RUNNING) {
        runningToken = 0;
        fencedToken = Math.max(fencedToken, token);
        runtime = RuntimeState.RUNTIME_STANDBY;
      }
    }

    /** The lease ran out on this "agent's" clock: stop and report LEASE_LOST. */
    private void fence(long token) {
      leaseLost.incrementAndGet();
      fencedToken = Math.max(fencedToken, token);
      runningToken = 0;
      runtime = RuntimeState.RUNTIME_STANDBY;
      FencedReport rep = FencedReport.newBuilder().setGroup(group).setInstance(instance).setToken(token)
          .setReason(FenceReason.LEASE_LOST).build();
      ManagedChannel[] cs = channels.get(target);
      AgentServiceGrpc.newFutureStub(cs[index % cs.length]).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
          .reportFenced(rep);
    }

    private void next(long atNanos) {
      if (!running) {
        return;
      }
      try {
        exec.schedule(this::beat, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  @Override
  public void close() {
    running = false;
    exec.shutdownNow();
    channels.values().forEach(cs -> {
      for (ManagedChannel c : cs) {
        c.shutdownNow();
      }
    });
  }
}

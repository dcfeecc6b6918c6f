package io.tandem.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.HeartbeatResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Many simulated agents in one JVM, speaking the real AgentService protocol over a few shared
 * gRPC channels per coordinator: each sends one heartbeat at a time every {@code period} with the
 * given deadline, behaves as {@link SimAgentState} says (runs while leased, self-fences with
 * LEASE_LOST), marks its heartbeats while it runs with the agent's runs-flows header, follows
 * the leader hint, moves to the next coordinator on other failures, and backs off with jitter on
 * RESOURCE_EXHAUSTED (as the agent's Backoffs does). Counts what it saw,
 * including each group's failovers ({@link GroupAssignments}).
 */
public final class SimAgents implements AutoCloseable {
  /** The agent's header on heartbeats of an agent whose flows run (CoordinatorEndpoints.RUNS_FLOWS_HEADER). */
  private static final io.grpc.ClientInterceptor RUNS_FLOWS =
      io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(CoordinatorEndpoints.runsFlowsHeaders());
  private final List<String> addresses;
  private final Map<String, ManagedChannel[]> channels = new HashMap<>();
  private final ScheduledExecutorService exec;
  private final long periodNanos;
  private final long deadlineMillis;
  private final List<Sim> sims = new ArrayList<>();
  private final Map<String, GroupAssignments> groups = new HashMap<>();
  private volatile boolean running = true;
  /** Latency of every answered call (shed answers included) since {@link #resetCounters()}. */
  public final LatencyStats latency = new LatencyStats();
  /** The same, for the owner to reset per reporting window. */
  public final LatencyStats window = new LatencyStats();
  public final AtomicLong granted = new AtomicLong();
  public final AtomicLong answered = new AtomicLong();
  public final AtomicLong shed = new AtomicLong();
  public final AtomicLong deadlineExceeded = new AtomicLong();
  public final AtomicLong otherErrors = new AtomicLong();
  public final AtomicLong leaseLost = new AtomicLong();
  public final AtomicLong failovers = new AtomicLong();
  /** The {@link #otherErrors} by status code. */
  private final java.util.concurrent.ConcurrentHashMap<Status.Code, java.util.concurrent.atomic.LongAdder> errorCodes =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param channel           makes the channel to one coordinator address (plaintext or TLS)
   * @param channelsPerAddress channels per coordinator the agents are spread over
   * @param threads           scheduler threads
   */
  public SimAgents(List<String> addresses, Function<String, ManagedChannel> channel, int channelsPerAddress,
      int threads, long periodMillis, long deadlineMillis) {
    this.addresses = List.copyOf(addresses);
    for (String a : addresses) {
      ManagedChannel[] cs = new ManagedChannel[channelsPerAddress];
      for (int i = 0; i < cs.length; i++) {
        cs[i] = channel.apply(a);
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

  public void add(String group, String instance) {
    sims.add(new Sim(sims.size(), new SimAgentState(group, instance),
        groups.computeIfAbsent(group, g -> new GroupAssignments())));
  }

  public int size() {
    return sims.size();
  }

  /** Starts every agent at a random moment within {@code spreadMillis} (0-10 ms: "all at once"). */
  public void startAll(long spreadMillis) {
    for (Sim s : sims) {
      exec.schedule(s::beat, ThreadLocalRandom.current().nextLong(spreadMillis + 1), TimeUnit.MILLISECONDS);
    }
  }

  public long runningCount() {
    return sims.stream().filter(Sim::running).count();
  }

  /** Groups whose agents have seen a first activation. */
  public long activatedGroups() {
    return groups.values().stream().filter(GroupAssignments::activated).count();
  }

  /** The other errors by status code, e.g. "UNAVAILABLE=12 INTERNAL=1" ("" none). */
  public String otherErrorCodes() {
    StringBuilder sb = new StringBuilder();
    new java.util.TreeMap<>(errorCodes).forEach((c, n) -> sb.append(sb.length() == 0 ? "" : " ").append(c).append('=')
        .append(n.sum()));
    return sb.toString();
  }

  public void resetCounters() {
    errorCodes.clear();
    latency.reset();
    window.reset();
    for (AtomicLong c : List.of(granted, answered, shed, deadlineExceeded, otherErrors, leaseLost, failovers)) {
      c.set(0);
    }
  }

  private final class Sim {
    final int index;
    final SimAgentState state;
    final GroupAssignments group;
    /** Its own coordinator target, as each real agent has: follows hints, rotates on failures. */
    String target = addresses.get(0);

    Sim(int index, SimAgentState state, GroupAssignments group) {
      this.index = index;
      this.state = state;
      this.group = group;
    }

    synchronized boolean running() {
      return state.running();
    }

    synchronized void beat() {
      if (!running) {
        return;
      }
      long sentAt = System.nanoTime();
      state.fenceIfExpired(sentAt).ifPresent(rep -> {
        leaseLost.incrementAndGet();
        stub().reportFenced(rep);
      });
      io.tandem.proto.agent.HeartbeatRequest req = state.heartbeat();
      AgentServiceGrpc.AgentServiceFutureStub stub = stub();
      if (CoordinatorEndpoints.runsFlows(req.getRuntime(), req.getRunningToken())) {
        stub = stub.withInterceptors(RUNS_FLOWS); // as the agent's HeartbeatLoop does
      }
      Futures.addCallback(stub.heartbeat(req), new FutureCallback<HeartbeatResponse>() {
        @Override
        public void onSuccess(HeartbeatResponse r) {
          long took = System.nanoTime() - sentAt;
          latency.record(took);
          window.record(took);
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
            window.record(now - sentAt);
            shed.incrementAndGet();
            Metadata m = Status.trailersFromThrowable(t);
            String hint = m == null ? null : m.get(CoordinatorEndpoints.RETRY_AFTER_TRAILER);
            next(now + SimAgentState.shedWaitNanos(hint, periodNanos, ThreadLocalRandom.current().nextDouble()));
            return;
          }
          if (st.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            deadlineExceeded.incrementAndGet();
          } else {
            otherErrors.incrementAndGet();
            errorCodes.computeIfAbsent(st.getCode(), c -> new java.util.concurrent.atomic.LongAdder()).increment();
          }
          follow(t);
          next(Math.min(sentAt + periodNanos, now + 50_000_000L));
        }
      }, MoreExecutors.directExecutor());
    }

    private AgentServiceGrpc.AgentServiceFutureStub stub() {
      ManagedChannel[] cs = channels.get(target);
      return AgentServiceGrpc.newFutureStub(cs[index % cs.length])
          .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
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
      if (state.onAnswer(sentAt, r)) {
        granted.incrementAndGet();
      }
      if (group.observe(r.getAssignment().getActive(), r.getAssignment().getToken())) {
        failovers.incrementAndGet();
      }
    }

    private void next(long atNanos) {
      if (!running) {
        return;
      }
      try {
        exec.schedule(this::beat, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
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

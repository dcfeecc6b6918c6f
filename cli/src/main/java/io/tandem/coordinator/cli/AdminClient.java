package io.tandem.coordinator.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.AdminServiceGrpc.AdminServiceBlockingStub;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls the coordinators' AdminService for one tandemctl run: each attempt has a short deadline,
 * a follower's redirect or an unreachable coordinator moves on to the next address (via {@link
 * CoordinatorEndpoints}), until the total time is used up. So a frozen leader costs one attempt.
 *
 * <p>Writes take a request id made once per command ({@link #newRequestId()}) and reused on every
 * retry, so a write retried after a lost answer returns the first result instead of applying
 * twice.
 */
final class AdminClient implements AutoCloseable {
  private static final long MIN_ATTEMPT_MILLIS = 50;
  private static final long PAUSE_AFTER_ROUND_MILLIS = 100;

  private final CoordinatorEndpoints endpoints;
  private final Duration total;
  private final Duration attempt;

  AdminClient(CoordinatorEndpoints endpoints, Duration total, Duration attempt) {
    this.endpoints = endpoints;
    this.total = total;
    this.attempt = attempt.compareTo(total) > 0 ? total : attempt;
    // connect to every coordinator at once: a cold first connection then costs no attempt
    endpoints.addresses().forEach(a -> endpoints.channel(a).getState(true));
  }

  static String newRequestId() {
    return UUID.randomUUID().toString();
  }

  CoordinatorEndpoints endpoints() {
    return endpoints;
  }

  Duration attemptTimeout() {
    return attempt;
  }

  /** A call with the default deadlines. */
  <T> T call(Function<AdminServiceBlockingStub, T> call) {
    return call(call, attempt, total, true);
  }

  /**
   * Runs {@code call} against the current target until it answers.
   *
   * @param perAttempt deadline of one attempt
   * @param overall time after which no new attempt starts
   * @param retryTimeouts whether an attempt that hit its deadline may be retried (false for calls
   *     that must not run twice and carry no request id the server de-duplicates)
   * @throws CtlException exit code 1 for a refusal, 2 when no coordinator answered
   */
  <T> T call(
      Function<AdminServiceBlockingStub, T> call,
      Duration perAttempt,
      Duration overall,
      boolean retryTimeouts) {
    long deadline = System.nanoTime() + overall.toNanos();
    StatusRuntimeException last = null;
    int failuresSincePause = 0;
    while (true) {
      long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (last != null && leftMillis < MIN_ATTEMPT_MILLIS) {
        throw CtlException.unreachable(endpoints.addresses(), last);
      }
      long thisAttempt = Math.max(MIN_ATTEMPT_MILLIS, Math.min(perAttempt.toMillis(), leftMillis));
      String address = endpoints.target();
      AdminServiceBlockingStub stub =
          AdminServiceGrpc.newBlockingStub(endpoints.channel(address))
              .withDeadlineAfter(thisAttempt, TimeUnit.MILLISECONDS);
      long started = System.nanoTime();
      try {
        return call.apply(stub);
      } catch (StatusRuntimeException e) {
        boolean timedOut = e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED;
        if (last == null || CtlException.rank(e) >= CtlException.rank(last)) {
          last = e; // keep the most telling: a coordinator's word, then refused, then timeout
        }
        if (!endpoints.onFailure(address, e)) {
          throw CtlException.refused(e);
        }
        if (timedOut && !retryTimeouts) {
          throw CtlException.answerMissing(address, thisAttempt);
        }
        boolean redirected = CoordinatorEndpoints.leaderHint(e).isPresent();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        failuresSincePause++;
        if (!redirected
            && tookMillis < PAUSE_AFTER_ROUND_MILLIS
            && failuresSincePause >= endpoints.addresses().size()) {
          // every address failed fast (refused, no leader yet): wait a little before the next round
          pause(Math.min(PAUSE_AFTER_ROUND_MILLIS, Math.max(0, leftMillis - tookMillis)));
          failuresSincePause = 0;
          endpoints.addresses().forEach(a -> endpoints.channel(a).resetConnectBackoff());
        }
      }
    }
  }

  /**
   * The cluster status, from the leader when it is reachable: lease and readiness figures are
   * known there only, and its state is the freshest. Falls back to a follower's answer.
   */
  ClusterStatusResponse statusFromLeader() {
    ClusterStatusResponse s = call(stub -> stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()));
    // the members' addresses (e.g. of a coordinator added since --coordinators was written)
    endpoints.learn(s.getPeersList().stream().map(p -> p.getGrpcAddress()).toList());
    String leader = s.getLeaderAddress();
    if (s.getLeaderId().isEmpty() || s.getLeaderId().equals(s.getAnsweredBy()) || !endpoints.addresses().contains(leader)) {
      return s;
    }
    if (endpoints.seeds().size() == 1 && !endpoints.seeds().contains(leader)) {
      return s; // one coordinator named (--coordinators c3): the operator asks that node for its own view
    }
    try {
      return onceAt(leader, stub -> stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      return s;
    }
  }

  /** A read sent to the leader if one is known and reachable, else wherever answers. */
  <T> T readFromLeader(Function<AdminServiceBlockingStub, T> read) {
    ClusterStatusResponse s;
    try {
      s = call(stub -> stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()));
    } catch (CtlException e) {
      if (e.exitCode() != CtlException.REFUSED) {
        throw e;
      }
      return call(read); // finding the leader is only a preference
    }
    String leader = s.getLeaderAddress();
    if (!s.getLeaderId().isEmpty() && !s.getLeaderId().equals(s.getAnsweredBy()) && endpoints.addresses().contains(leader)) {
      try {
        return onceAt(leader, read);
      } catch (StatusRuntimeException e) {
        if (!endpoints.onFailure(leader, e)) {
          throw CtlException.refused(e);
        }
      }
    }
    return call(read);
  }

  private <T> T onceAt(String address, Function<AdminServiceBlockingStub, T> call) {
    return call.apply(
        AdminServiceGrpc.newBlockingStub(endpoints.channel(address))
            .withDeadlineAfter(attempt.toMillis(), TimeUnit.MILLISECONDS));
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CtlException(CtlException.UNREACHABLE, "interrupted");
    }
  }

  /** Does not wait for the channels to end: tandemctl exits right after (see closeNow). */
  @Override
  public void close() {
    endpoints.closeNow();
  }
}

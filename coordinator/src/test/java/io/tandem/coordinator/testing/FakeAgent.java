package io.tandem.coordinator.testing;

import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.FencedReport;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays an agent over real gRPC, without Node-RED: heartbeats every {@code periodMillis}; runs
 * "flows" (reports RUNNING) while it is the committed active with a lease; on a release request
 * it stops, fences itself for the token and reports RELEASED. {@link #crash()} reports CRASHED.
 */
public final class FakeAgent implements AutoCloseable {
  private final String group;
  private final String instance;
  private final CoordinatorEndpoints endpoints;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fake-agent");
    t.setDaemon(true);
    return t;
  });
  private RuntimeState runtime = RuntimeState.RUNTIME_STANDBY;
  private long runningToken;
  private long fencedToken;
  private volatile HeartbeatResponse last;
  /** Group data its "runtime" reports; by default it loads every revision it is told of. */
  private volatile boolean followRevisions = true;
  private volatile long loadedRevision;
  private volatile List<String> modules = List.of();
  private volatile String credentialKeyDigest = "";
  private volatile int leasesGranted;

  public FakeAgent(String addresses, String group, String instance) {
    this.group = group;
    this.instance = instance;
    this.endpoints = CoordinatorEndpoints.parse(addresses);
  }

  public FakeAgent start(long periodMillis) {
    loop.scheduleWithFixedDelay(this::beatQuietly, 0, periodMillis, TimeUnit.MILLISECONDS);
    return this;
  }

  public String instance() {
    return instance;
  }

  /** The last heartbeat reply, or null. */
  public HeartbeatResponse last() {
    return last;
  }

  /** Stops (false) or resumes (true) loading the revisions the coordinator announces. */
  public FakeAgent followRevisions(boolean follow) {
    this.followRevisions = follow;
    return this;
  }

  public FakeAgent loadedRevision(long revision) {
    this.loadedRevision = revision;
    return this;
  }

  public long loadedRevision() {
    return loadedRevision;
  }

  public FakeAgent modules(String... modules) {
    this.modules = List.of(modules);
    return this;
  }

  public FakeAgent credentialKeyDigest(String digest) {
    this.credentialKeyDigest = digest;
    return this;
  }

  public int leasesGranted() {
    return leasesGranted;
  }

  public synchronized long runningToken() {
    return runningToken;
  }

  /** The "runtime" died: fence for the running token and report it at once. */
  public void crash() throws Exception {
    loop.submit(() -> {
      synchronized (this) {
        long t = Math.max(runningToken, last == null ? 0 : last.getAssignment().getToken());
        fencedToken = Math.max(fencedToken, t);
        runningToken = 0;
        runtime = RuntimeState.RUNTIME_DOWN;
        report(t, FenceReason.CRASHED);
      }
    }).get(5, TimeUnit.SECONDS);
  }

  private void beatQuietly() {
    try {
      beat();
    } catch (StatusRuntimeException e) {
      // coordinator unreachable or electing: the next beat retries
    }
  }

  private synchronized void beat() {
    HeartbeatRequest req = HeartbeatRequest.newBuilder()
        .setGroup(group).setInstance(instance).setRuntime(runtime)
        .setRunningToken(runningToken).setFencedToken(fencedToken).setHost("127.0.0.1")
        .setLoadedRevision(loadedRevision).addAllModules(modules).setCredentialKeyDigest(credentialKeyDigest)
        .build();
    HeartbeatResponse r = endpoints.call(ch -> AgentServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(500, TimeUnit.MILLISECONDS).heartbeat(req), 3);
    last = r;
    if (followRevisions) {
      loadedRevision = r.getAssignment().getFlowsRevision();
    }
    long token = r.getAssignment().getToken();
    boolean mine = r.getAssignment().getActive().equals(instance) && token > fencedToken;
    if (r.getLeaseMillis() > 0) {
      leasesGranted++;
    }
    if (mine && r.getReleaseRequested()) {
      runningToken = 0;
      fencedToken = token;
      runtime = RuntimeState.RUNTIME_STANDBY;
      report(token, FenceReason.RELEASED);
    } else if (mine && r.getLeaseMillis() > 0 && runtime != RuntimeState.RUNTIME_DOWN) {
      runningToken = token;
      runtime = RuntimeState.RUNTIME_RUNNING;
    } else if (!mine && runtime == RuntimeState.RUNTIME_RUNNING) {
      runningToken = 0;
      fencedToken = Math.max(fencedToken, token);
      runtime = RuntimeState.RUNTIME_STANDBY;
    }
  }

  private void report(long token, FenceReason reason) {
    FencedReport rep = FencedReport.newBuilder().setGroup(group).setInstance(instance)
        .setToken(token).setReason(reason).build();
    endpoints.call(ch -> AgentServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(500, TimeUnit.MILLISECONDS).reportFenced(rep), 3);
  }

  @Override
  public void close() {
    loop.shutdownNow();
    endpoints.close();
  }
}

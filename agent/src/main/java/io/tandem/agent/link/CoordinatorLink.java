package io.tandem.agent.link;

import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.http.AgentMetrics;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.FencedReport;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.WatchGroupRequest;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to the coordinators: the heartbeat loop, the WatchGroup stream and fence
 * reports, all following the Raft leader through one {@link CoordinatorEndpoints}.
 */
public final class CoordinatorLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorLink.class);
  private final CoordinatorEndpoints endpoints;
  private final String group;
  private final String instance;
  private final HeartbeatLoop heartbeats;
  private final GroupWatcher watcher;
  private final FenceReporter reporter;
  private final Thread heartbeatThread;
  private final Thread watchThread;

  /** Plaintext channels (tests). */
  public CoordinatorLink(List<String> coordinators, String group, String instance,
      LeaseSettings lease, Supplier<HeartbeatRequest> request, LinkListener listener,
      AgentMetrics metrics) {
    this(coordinators, io.tandem.common.tls.TlsSettings.plaintext(), group, instance, lease, request,
        listener, metrics);
  }

  /** {@code tls}: the agent's certificate for mutual TLS, or plaintext. */
  public CoordinatorLink(List<String> coordinators, io.tandem.common.tls.TlsSettings tls, String group,
      String instance, LeaseSettings lease, Supplier<HeartbeatRequest> request, LinkListener listener,
      AgentMetrics metrics) {
    this.endpoints = CoordinatorEndpoints.of(coordinators, tls);
    this.group = group;
    this.instance = instance;
    Backoffs backoffs = new Backoffs(endpoints, 500_000_000L);
    HeartbeatSends sends = new HeartbeatSends();
    this.heartbeats = new HeartbeatLoop(endpoints, lease, request, listener, metrics, backoffs, sends);
    this.watcher = new GroupWatcher(endpoints,
        WatchGroupRequest.newBuilder().setGroup(group).setInstance(instance).build(), listener,
        backoffs, sends);
    this.reporter = new FenceReporter(endpoints, lease.rpcTimeout(), backoffs);
    this.heartbeatThread = new Thread(heartbeats, "tandem-heartbeat");
    this.watchThread = new Thread(watcher, "tandem-watch");
    for (Thread t : List.of(heartbeatThread, watchThread)) {
      t.setDaemon(true);
      t.setUncaughtExceptionHandler((th, e) -> log.error("{} died", th.getName(), e));
    }
  }

  public void start() {
    heartbeatThread.start();
    watchThread.start();
  }

  /** Sends a heartbeat now (e.g. the moment this instance was named active), coalesced. */
  public void heartbeatNow() {
    heartbeats.now();
  }

  /** Reports asynchronously that this agent fenced itself for {@code token}; never blocks. */
  public java.util.concurrent.CompletableFuture<Boolean> reportFenced(long token, FenceReason reason,
      String detail) {
    return reporter.report(FencedReport.newBuilder().setGroup(group).setInstance(instance)
        .setToken(token).setReason(reason).setDetail(detail).build());
  }

  /** The coordinators, following the leader; shared with the group-data calls. */
  public CoordinatorEndpoints endpoints() {
    return endpoints;
  }

  /** The coordinator calls currently go to. */
  public String target() {
    return endpoints.target();
  }

  @Override
  public void close() {
    heartbeats.stop();
    watcher.stop();
    try {
      heartbeatThread.join(2000);
      watchThread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reporter.close();
    endpoints.close();
  }
}

package io.tandem.it.chaos;

import io.tandem.it.flows.EditorDeploy;
import io.tandem.it.harness.LocalCluster;
import io.tandem.proto.admin.GroupView;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deploys changed flows during a chaos run, as an operator would: every {@code every}, through the
 * editor API of the instance the coordinators say is active, flows whose witness call names a new
 * marker ({@link EditorDeploy#withMarker}). Deploys that fail during faults are expected; they are
 * counted, not errors. Which deploys were committed, and as which revision, the group's history says.
 */
final class FlowsDeployer implements AutoCloseable {
  static final String MARKER_PREFIX = "chaos-deploy-";
  private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(8);
  private final LocalCluster cluster;
  private final Duration every;
  private final Thread thread;
  private final AtomicInteger tried = new AtomicInteger();
  private final AtomicInteger answeredOk = new AtomicInteger();
  private volatile boolean stop;

  FlowsDeployer(LocalCluster cluster, Duration every) {
    this.cluster = cluster;
    this.every = every;
    this.thread = new Thread(this::loop, "chaos-deployer");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    int n = 0;
    while (!stop) {
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      Optional<GroupView> g = cluster.admin().tryGroup(cluster.groupName()).filter(x -> !x.getActive().isEmpty());
      if (stop || g.isEmpty()) {
        continue;
      }
      n++;
      tried.incrementAndGet();
      try {
        String url = cluster.agent(g.get().getActive()).editorUrl();
        if (EditorDeploy.deployMarker(url, MARKER_PREFIX + n, DEPLOY_TIMEOUT).deployed()) {
          answeredOk.incrementAndGet();
        }
      } catch (IOException | RuntimeException e) {
        // the active is paused, cut off or gone: the deploy fails, as it may during a fault
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Deploys attempted. */
  int tried() {
    return tried.get();
  }

  /** Deploys the editor reported as done (HTTP 200). */
  int deployed() {
    return answeredOk.get();
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.interrupt();
    thread.join(DEPLOY_TIMEOUT.toMillis() + 2000);
  }
}

package io.tandem.it.chaos;

import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.AgentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Asks every agent for its status every {@link #EVERY_MS} ms during a chaos run, to know when some
 * instance was healthy (active, or a ready standby): the liveness property only holds then. An agent
 * that does not answer within its 1 s timeout (paused, partitioned from the test, restarting) counts
 * as unhealthy.
 */
public final class HealthSampler implements AutoCloseable {
  static final long EVERY_MS = 250;

  /** At {@code nanos} (System.nanoTime), the instances whose agents reported themselves healthy. */
  public record Sample(long nanos, Set<String> healthy) {}

  private final List<AgentNode> agents;
  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stop;

  public HealthSampler(List<AgentNode> agents) {
    this.agents = List.copyOf(agents);
    this.thread = new Thread(this::loop, "chaos-health-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (!stop) {
      long t = System.nanoTime();
      Set<String> healthy = new TreeSet<>();
      for (AgentNode a : agents) {
        if (a.status().map(HealthSampler::healthy).orElse(false)) {
          healthy.add(a.instance());
        }
      }
      synchronized (samples) {
        samples.add(new Sample(t, healthy));
      }
      try {
        Thread.sleep(Math.max(1, EVERY_MS - (System.nanoTime() - t) / 1_000_000));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  public List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.interrupt();
    thread.join(5000);
  }

  /** For the status checks above: whether an agent status counts as a healthy instance. */
  static boolean healthy(AgentStatus s) {
    return s.isActive() || s.isReadyStandby();
  }
}

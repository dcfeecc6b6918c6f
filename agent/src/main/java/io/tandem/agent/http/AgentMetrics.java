package io.tandem.agent.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/** The agent's Prometheus metrics ({@code tandem_agent_*}), scraped at GET /metrics. */
public final class AgentMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer heartbeatLatency;
  private final Counter runtimeRestarts;
  private final java.util.Map<String, Counter> heartbeatCounters = new java.util.concurrent.ConcurrentHashMap<>();

  public AgentMetrics(String group, String instance) {
    registry.config().commonTags("group", group, "instance", instance);
    heartbeatLatency = Timer.builder("tandem_agent_heartbeat_latency")
        .description("round trip of granted or refused heartbeats")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(2))
        .register(registry);
    runtimeRestarts = Counter.builder("tandem_agent_runtime_restarts")
        .description("Node-RED (re)launches after the first one")
        .register(registry);
  }

  /** Registers the role and lease gauges, read from the agent's current snapshot. */
  public void bind(Supplier<AgentSnapshot> snapshot) {
    for (String role : AgentSnapshot.ROLES) {
      Gauge.builder("tandem_agent_role", () -> role.equals(snapshot.get().role()) ? 1 : 0)
          .description("1 for the agent's current role, 0 for the others")
          .tag("role", role)
          .register(registry);
    }
    Gauge.builder("tandem_agent_lease_left_seconds",
            () -> Math.max(0, snapshot.get().leaseLeftMillis(System.nanoTime())) / 1000.0)
        .description("time until the flows must stop unless the lease is renewed (0: no lease)")
        .register(registry);
  }

  public void action(String action, String reason) {
    Counter.builder("tandem_agent_actions")
        .description("actions performed by the agent's reconcile loop")
        .tag("action", action)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  public void heartbeat(String result, long nanos) {
    // 4 a second: the counter is looked up once per result, not built and registered at each call
    heartbeatCounters.computeIfAbsent(result, r -> Counter.builder("tandem_agent_heartbeats")
        .description("heartbeats by result: granted, refused (no lease), shed (the leader asked to retry later), failed")
        .tag("result", r)
        .register(registry))
        .increment();
    if (!"failed".equals(result) && !"shed".equals(result)) {
      heartbeatLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /** The held-locks gauge, read from {@code held}. */
  public void bindLocks(java.util.function.IntSupplier held) {
    Gauge.builder("tandem_agent_locks_held", held::getAsInt)
        .description("lock keys this instance believes it holds now")
        .register(registry);
  }

  /** This instance came to hold a lock key (a new token). */
  public void lockAcquired() {
    Counter.builder("tandem_agent_lock_acquisitions")
        .description("lock keys this instance came to hold (each new token counts)")
        .register(registry)
        .increment();
  }

  /** This instance stopped holding a lock key; {@code reason}: released, lease, moved. */
  public void lockLost(String reason) {
    Counter.builder("tandem_agent_lock_losses")
        .description("lock keys this instance stopped holding: released (no flow wants it), lease "
            + "(the lease or the flows ended), moved (the committed holder changed)")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  public void runtimeRestart() {
    runtimeRestarts.increment();
  }

  /** The registry, for the meters of other parts of the agent (the context store). */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }
}

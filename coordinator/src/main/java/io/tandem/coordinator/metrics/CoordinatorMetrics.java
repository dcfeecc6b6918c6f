package io.tandem.coordinator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.lease.LeaseKeeper;
import io.tandem.coordinator.ratis.FollowerProgress;
import io.tandem.coordinator.ratis.RaftNode;
import io.tandem.proto.state.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The coordinator's metrics (Prometheus names in docs/coordinator.md). Gauges read the live Raft
 * server and lease keeper when scraped; counters and the timer are fed by the services.
 */
public final class CoordinatorMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter heartbeats;
  private final Timer decisionLatency;
  private final RaftNode raft;
  private final MultiGauge contextBytes;
  private final LeaseKeeper keeper;
  private final LongSupplier nanos;
  private final java.util.Map<String, java.util.List<io.micrometer.core.instrument.Meter>> groupGauges =
      new java.util.HashMap<>();

  public CoordinatorMetrics(RaftNode raft, LeaseKeeper keeper, LongSupplier nanos) {
    this.raft = raft;
    this.keeper = keeper;
    this.nanos = nanos;
    gauge("tandem.raft.role", "1 while this coordinator is the ready Raft leader, else 0",
        raft, r -> safe(() -> r.isLeaderReady() ? 1 : 0));
    gauge("tandem.raft.term", "current Raft term", raft, r -> safe(r::term));
    gauge("tandem.raft.commit.index", "Raft commit index", raft, r -> safe(r::commitIndex));
    gauge("tandem.groups", "groups in the replicated state", raft,
        r -> r.stateMachine().state().getGroupsCount());
    gauge("tandem.active.leases", "groups whose active holds a live lease (leader only)", raft,
        r -> keeper.activeLeases(r.stateMachine().state(), nanos.getAsLong()));
    for (PeerConfig p : raft.config().peers()) {
      if (p.id().equals(raft.selfId())) {
        continue;
      }
      Gauge.builder("tandem.follower.lag", raft, r -> lag(r, p.id()))
          .description("entries the peer's own commit index, as it last reported it, trails the leader's (leader only; NaN elsewhere)")
          .tag("peer", p.id())
          .register(registry);
    }
    heartbeats = Counter.builder("tandem.heartbeats")
        .description("agent heartbeats answered by this leader").register(registry);
    decisionLatency = Timer.builder("tandem.decision.latency")
        .description("time from a failover decision to its commit")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    contextBytes = MultiGauge.builder("tandem.context.bytes")
        .description("bytes of a group's committed context (keys + values), as applied on this coordinator")
        .baseUnit("bytes")
        .register(registry);
  }

  /** A WriteContext answered by this leader; {@code outcome}: applied, refused (fenced) or invalid. */
  public void contextWrite(String outcome) {
    Counter.builder("tandem.context.writes")
        .description("WriteContext calls answered by this leader, by outcome (applied, refused: not the"
            + " active under its token, invalid: malformed)")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  /** One op of an applied context write, by its result. */
  public void contextOp(Outcome outcome) {
    Counter.builder("tandem.context.ops")
        .description("ops of applied context writes, by result (ok; invalid: over a limit or not a number;"
            + " failed_precondition: compare-and-set lost)")
        .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  public double contextWrites(String outcome) {
    Counter c = registry.find("tandem.context.writes").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private <T> void gauge(String name, String help, T obj, ToDoubleFunction<T> f) {
    Gauge.builder(name, obj, f).description(help).register(registry);
  }

  private static double lag(RaftNode r, String peer) {
    return safe(() -> {
      if (!r.isLeaderReady()) {
        return Double.NaN;
      }
      FollowerProgress f = r.followerProgress().get(peer);
      return f == null ? Double.NaN : f.lag(r.commitIndex());
    });
  }

  private interface Reading {
    double get() throws Exception;
  }

  private static double safe(Reading r) {
    try {
      return r.get();
    } catch (Exception e) {
      return Double.NaN; // server closing
    }
  }

  public void heartbeat() {
    heartbeats.increment();
  }

  /** A failover decision committed; {@code cause} is a short tag such as lease_expired. */
  /** A call refused by the identity check ({@code tandem_auth_refusals_total{reason,method}}). */
  public void authRefusal(String reason, String method) {
    Counter.builder("tandem.auth.refusals")
        .description("gRPC calls refused before reaching a service: no or unknown identity (unauthenticated), or a role or identity not allowed the call (permission_denied)")
        .tag("reason", reason)
        .tag("method", method)
        .register(registry)
        .increment();
  }

  public double authRefusals(String reason, String method) {
    Counter c = registry.find("tandem.auth.refusals").tag("reason", reason).tag("method", method).counter();
    return c == null ? 0 : c.count();
  }

  public void failover(String cause) {
    Counter.builder("tandem.failovers")
        .description("assignment changes decided by the leader, by cause")
        .tag("cause", cause)
        .register(registry)
        .increment();
  }

  /**
   * A committed lock move of an all-active group ({@code tandem_lock_handovers_total{cause}}):
   * free (a free key given out), lease_expired, crashed / hung / ... (the holder fenced), removed,
   * not_wanted (released), released (the holder's ReleaseLock).
   */
  public void lockHandover(String cause) {
    Counter.builder("tandem.lock.handovers")
        .description("lock acquisitions and releases decided by the leader in all-active groups, by cause")
        .tag("cause", cause)
        .register(registry)
        .increment();
  }

  public double lockHandovers(String cause) {
    Counter c = registry.find("tandem.lock.handovers").tag("cause", cause).counter();
    return c == null ? 0 : c.count();
  }

  public void decisionLatency(Duration d) {
    decisionLatency.record(d);
  }

  public double failovers(String cause) {
    Counter c = registry.find("tandem.failovers").tag("cause", cause).counter();
    return c == null ? 0 : c.count();
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    raft.stateMachine().state().getGroupDataMap().forEach((group, data) ->
        rows.add(MultiGauge.Row.of(Tags.of("group", group), data.getContextBytes())));
    contextBytes.register(rows, true);
    refreshGroupGauges();
    return registry.scrape();
  }

  private static double heldLocks(RaftNode r, String group) {
    try {
      var g = r.stateMachine().state().getGroupsMap().get(group);
      return g == null ? 0 : g.getLocksList().stream().filter(l -> !l.getHolder().isEmpty()).count();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Per-group gauges: one set for each group of the state, removed with the group. */
  private synchronized void refreshGroupGauges() {
    java.util.Set<String> groups;
    try {
      groups = new java.util.HashSet<>(raft.stateMachine().state().getGroupsMap().keySet());
    } catch (RuntimeException e) {
      return; // server closing
    }
    groupGauges.entrySet().removeIf(e -> {
      if (groups.contains(e.getKey())) {
        return false;
      }
      e.getValue().forEach(registry::remove);
      return true;
    });
    for (String g : groups) {
      groupGauges.computeIfAbsent(g, name -> java.util.List.of(
          Gauge.builder("tandem.group.standby.ready", keeper, k -> k.withoutReadyStandbyNanos(name,
                  nanos.getAsLong()).stream().mapToDouble(v -> v == 0 ? 1 : 0).findFirst().orElse(Double.NaN))
              .description("1 while the group has a ready standby (an instance automatic failover could"
                  + " activate), 0 while it has none (leader only; NaN elsewhere)")
              .tag("group", name).register(registry),
          Gauge.builder("tandem.group.without.ready.standby.seconds", keeper, k -> k.withoutReadyStandbyNanos(name,
                  nanos.getAsLong()).stream().mapToDouble(v -> v / 1e9).findFirst().orElse(Double.NaN))
              .description("seconds the group has had no ready standby, counted on the leader since its"
                  + " takeover (0: it has one; leader only; NaN elsewhere)")
              .tag("group", name).register(registry),
          Gauge.builder("tandem.group.locks.held", raft, r -> heldLocks(r, name))
              .description("locks of the group that have a holder (all-active groups; 0 in active-standby)")
              .tag("group", name).register(registry)));
    }
  }
}

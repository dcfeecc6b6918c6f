package io.tandem.it.fault;

/**
 * The faults a {@link Nemesis} draws. Each has a range for how long it lasts before its heal
 * (zero for instant faults, whose effect the cluster repairs by itself).
 */
public enum FaultKind {
  /** Agent cut off from every coordinator, both ways (all its coordinator proxies partitioned). */
  AGENT_PARTITION(Target.INSTANCE, 1_000, 8_000, "partition agent <-> coordinators"),
  /** Agent's requests reach the coordinators, their replies do not (or the reverse). */
  AGENT_ONE_WAY(Target.INSTANCE, 1_000, 8_000, "one-way partition agent / coordinators"),
  /** Latency added on an agent's coordinator links. */
  AGENT_DELAY(Target.INSTANCE, 2_000, 8_000, "delay agent <-> coordinators"),
  /** The coordinator connections an agent has open are reset (RST). */
  AGENT_RESET(Target.INSTANCE, 0, 0, "reset agent's coordinator connections"),
  /** The agent's open coordinator connections hang; new ones pass. */
  AGENT_STALL(Target.INSTANCE, 1_000, 6_000, "stall agent's open coordinator connections"),
  /** The Raft leader cut off from both peers. */
  ISOLATE_LEADER(Target.LEADER, 1_000, 8_000, "isolate the coordinator leader"),
  /** One follower cut off from both peers. */
  ISOLATE_FOLLOWER(Target.FOLLOWER, 1_000, 8_000, "isolate a coordinator follower"),
  /** The leader's messages stop reaching one follower, the follower's still reach the leader. */
  PEER_ONE_WAY(Target.LEADER, 1_000, 8_000, "one-way cut leader -> follower"),
  /** Latency on every Raft link. */
  PEER_DELAY(Target.NONE, 2_000, 8_000, "delay between coordinators"),
  /** Every Raft connection reset. */
  PEER_RESET(Target.NONE, 0, 0, "reset connections between coordinators"),
  /** SIGSTOP an agent's JVM, SIGCONT after the duration (its Node-RED keeps running). */
  PAUSE_AGENT(Target.INSTANCE, 500, 6_000, "SIGSTOP/SIGCONT an agent"),
  /** SIGSTOP a Node-RED, SIGCONT after the duration. */
  PAUSE_NODE_RED(Target.INSTANCE, 500, 6_000, "SIGSTOP/SIGCONT a Node-RED"),
  /** SIGSTOP the Raft leader's JVM, SIGCONT after the duration. */
  PAUSE_LEADER(Target.LEADER, 500, 6_000, "SIGSTOP/SIGCONT the coordinator leader"),
  /** SIGKILL a Node-RED; its agent starts it again as a standby. */
  KILL_NODE_RED(Target.INSTANCE, 0, 0, "SIGKILL a Node-RED"),
  /** SIGKILL a coordinator and start it again after the duration (same data dir). */
  RESTART_COORDINATOR(Target.ANY_COORDINATOR, 500, 5_000, "SIGKILL and restart a coordinator");

  /** What a fault is aimed at; leader and follower are resolved when the fault is injected. */
  public enum Target {
    NONE,
    INSTANCE,
    LEADER,
    FOLLOWER,
    ANY_COORDINATOR
  }

  private final Target target;
  private final long minMillis;
  private final long maxMillis;
  private final String description;

  FaultKind(Target target, long minMillis, long maxMillis, String description) {
    this.target = target;
    this.minMillis = minMillis;
    this.maxMillis = maxMillis;
    this.description = description;
  }

  public Target target() {
    return target;
  }

  public long minMillis() {
    return minMillis;
  }

  public long maxMillis() {
    return maxMillis;
  }

  public String description() {
    return description;
  }

  /** A process pause: the one fault under which a paused writer may overlap (DESIGN.md, point 5). */
  public boolean isPause() {
    return this == PAUSE_AGENT || this == PAUSE_NODE_RED || this == PAUSE_LEADER;
  }
}

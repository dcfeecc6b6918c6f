package io.tandem.it.harness;

import java.time.Duration;
import java.util.Optional;

/**
 * The faults the tests and the benchmark inject, each returning the System.nanoTime() at which it
 * was injected (the witness records calls on the same clock).
 */
public final class Faults {
  private Faults() {}

  /** SIGKILL the Node-RED process of {@code agent} (the agent lives on and restarts it as a spare). */
  public static long crashNodeRed(AgentNode agent) {
    long pid = agent.nodeRedPid(Duration.ofSeconds(5));
    ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new HarnessException("Node-RED pid " + pid + " is gone"));
    long t0 = System.nanoTime();
    h.destroyForcibly();
    return t0;
  }

  /** Blocks the event loop of {@code agent}'s Node-RED with while(true){} (the flow's hang route). */
  public static long hangNodeRed(AgentNode agent) {
    long t0 = System.nanoTime();
    agent.triggerHang();
    return t0;
  }

  /**
   * The host vanishes: SIGSTOP the agent's JVM and its Node-RED (nothing is reported, nothing
   * answers). Undo with {@link #killAgent} and a restart of the agent.
   */
  public static long freezeHost(AgentNode agent) {
    return pauseHost(agent).pausedAtNanos();
  }

  /** A host paused by {@link #pauseHost}: the two pids that got SIGSTOP, and when. */
  public record PausedHost(long agentJvmPid, long nodeRedPid, long pausedAtNanos) {
    /** SIGCONT both (the agent's JVM first, as a host waking up would run them); returns System.nanoTime(). */
    public long resume() {
      ProcessRegistry.signal(agentJvmPid, "CONT");
      ProcessRegistry.signal(nodeRedPid, "CONT");
      return System.nanoTime();
    }
  }

  /** SIGSTOP the agent's JVM and its Node-RED, keeping their pids so that {@link PausedHost#resume} can wake them. */
  public static PausedHost pauseHost(AgentNode agent) {
    long nodeRed = agent.nodeRedPid(Duration.ofSeconds(5));
    long java = agentJvm(agent).pid();
    long t0 = System.nanoTime();
    ProcessRegistry.signal(java, "STOP");
    ProcessRegistry.signal(nodeRed, "STOP");
    return new PausedHost(java, nodeRed, t0);
  }

  /**
   * SIGKILL the agent's JVM only (not its children): its Node-RED must die by itself through the
   * parent-death signal. Returns the fault time; the Node-RED pid it had is in {@code nodeRedPidOut[0]}.
   */
  public static long killAgentJvm(AgentNode agent, long[] nodeRedPidOut) {
    nodeRedPidOut[0] = agent.nodeRedPid(Duration.ofSeconds(5));
    ProcessHandle java = agentJvm(agent);
    long t0 = System.nanoTime();
    java.destroyForcibly();
    return t0;
  }

  /** SIGKILL the whole process tree of an agent (cleanup after {@link #freezeHost}). */
  public static void killAgent(AgentNode agent) {
    agent.process().kill();
  }

  /** SIGKILL the Raft leader's coordinator process; returns the fault time. */
  public static long killLeader(LocalCluster cluster, CoordinatorNode[] killedOut) {
    CoordinatorNode leader = cluster.leader();
    killedOut[0] = leader;
    long t0 = System.nanoTime();
    leader.process().kill();
    return t0;
  }

  /** The agent's Java process: the launcher itself if it exec'd java, else its java descendant. */
  static ProcessHandle agentJvm(AgentNode agent) {
    ProcessHandle root = agent.process().handle().orElseThrow(() -> new HarnessException(agent + " not started"));
    if (isJava(root)) {
      return root;
    }
    Optional<ProcessHandle> java = root.descendants().filter(Faults::isJava).findFirst();
    return java.orElseThrow(() -> new HarnessException("no java process under " + agent));
  }

  private static boolean isJava(ProcessHandle h) {
    return h.info().command().map(c -> c.endsWith("/java") || c.equals("java")).orElse(false);
  }
}

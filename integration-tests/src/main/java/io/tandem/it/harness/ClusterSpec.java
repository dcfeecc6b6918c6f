package io.tandem.it.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What to start: the group, its instances (first = highest priority), timings, and how each process
 * reaches the others. The {@link Topology} lets a fault injector put proxies between any two parts
 * (an agent and the coordinators, a coordinator and a peer) without changing the harness.
 *
 * @param workDir     where configs, data and logs go (a fresh temp dir when null)
 * @param group       the group name
 * @param instances   instance ids, in descending priority
 * @param lease       coordinator lease duration
 * @param hangRoute   whether the flows include the hang route (tests and benchmark only)
 * @param topology    address rewriting for fault injection; {@link Topology#DIRECT} for none
 * @param javaOpts    TANDEM_JAVA_OPTS for the coordinator and agent JVMs
 * @param probeTimeout the agents' Node-RED probe response timeout (product default 250 ms)
 * @param probeMisses  missed probes that mean "hung" (product default 3)
 * @param plaintext    tls: {insecure: true} everywhere instead of mutual TLS (the default): only
 *                     for tests and benchmark rows about plaintext
 * @param nodeRedDir   the Node-RED install the agents launch (null: {@link Repo#nodeRedDir()})
 * @param nodeRedInstalls the agents' nodeRed.installs (dirs whose package.json gives the version)
 * @param mode         the group's mode (ACTIVE_STANDBY: the witness flow; ALL_ACTIVE with {@code lockKeys})
 * @param lockKeys     all-active only: the lock keys of {@link io.tandem.it.flows.LockFlow} (one
 *                     {@code tandem leader} node each, calling the witness with its key)
 */
public record ClusterSpec(Path workDir, String group, List<String> instances, Duration lease,
    boolean hangRoute, Topology topology, String javaOpts, Duration probeTimeout, int probeMisses,
    boolean plaintext, Path nodeRedDir, List<Path> nodeRedInstalls,
    io.tandem.proto.state.GroupMode mode, List<String> lockKeys) {

  /** Small JVMs that start quickly: 5 of them share 2 cores on a CI machine. */
  public static final String SMALL_JVM = "-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto";

  public ClusterSpec(Path workDir, String group, List<String> instances, Duration lease,
      boolean hangRoute, Topology topology, String javaOpts, Duration probeTimeout, int probeMisses) {
    this(workDir, group, instances, lease, hangRoute, topology, javaOpts, probeTimeout, probeMisses, false, null,
        List.of(), io.tandem.proto.state.GroupMode.ACTIVE_STANDBY, List.of());
  }

  public ClusterSpec {
    nodeRedInstalls = List.copyOf(nodeRedInstalls);
    instances = List.copyOf(instances);
    lockKeys = List.copyOf(lockKeys);
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("at least one instance");
    }
  }

  /** The product's default timings (lease 2 s, probe 250 ms x 3): what the benchmark measures. */
  public static ClusterSpec defaults(List<String> instances) {
    return new ClusterSpec(null, "line1", instances, Duration.ofSeconds(2), true, Topology.DIRECT, SMALL_JVM,
        Duration.ofMillis(250), 3);
  }

  /**
   * Defaults with a probe timeout of 1 s: on a loaded 2-core CI machine a healthy Node-RED can miss
   * 250 ms probes while it boots or starts its flows, and the agent would rightly kill it as hung.
   */
  public static ClusterSpec forCi(List<String> instances) {
    return defaults(instances).withProbe(Duration.ofSeconds(1), 3);
  }

  public ClusterSpec withProbe(Duration timeout, int misses) {
    return new ClusterSpec(workDir, group, instances, lease, hangRoute, topology, javaOpts, timeout, misses, plaintext, nodeRedDir, nodeRedInstalls, mode, lockKeys);
  }

  public ClusterSpec withGroup(String g) {
    return new ClusterSpec(workDir, g, instances, lease, hangRoute, topology, javaOpts, probeTimeout, probeMisses, plaintext, nodeRedDir, nodeRedInstalls, mode, lockKeys);
  }

  public ClusterSpec withWorkDir(Path d) {
    return new ClusterSpec(d, group, instances, lease, hangRoute, topology, javaOpts, probeTimeout, probeMisses, plaintext, nodeRedDir, nodeRedInstalls, mode, lockKeys);
  }

  public ClusterSpec withHangRoute(boolean h) {
    return new ClusterSpec(workDir, group, instances, lease, h, topology, javaOpts, probeTimeout, probeMisses, plaintext, nodeRedDir, nodeRedInstalls, mode, lockKeys);
  }

  /** Plaintext ({@code true}) or mutual TLS ({@code false}, the default) on every channel. */
  public ClusterSpec withPlaintext(boolean p) {
    return new ClusterSpec(workDir, group, instances, lease, hangRoute, topology, javaOpts, probeTimeout, probeMisses, p, nodeRedDir, nodeRedInstalls, mode, lockKeys);
  }

  public ClusterSpec withTopology(Topology t) {
    return new ClusterSpec(workDir, group, instances, lease, hangRoute, t, javaOpts, probeTimeout, probeMisses, plaintext, nodeRedDir, nodeRedInstalls, mode, lockKeys);
  }

  /** The agents launch Node-RED from {@code dir} and may restart on any of {@code installs}. */
  public ClusterSpec withNodeRed(Path dir, List<Path> installs) {
    return new ClusterSpec(workDir, group, instances, lease, hangRoute, topology, javaOpts, probeTimeout, probeMisses, plaintext, dir, installs, mode, lockKeys);
  }

  /** An all-active group whose instances run {@link io.tandem.it.flows.LockFlow} for {@code keys}. */
  public ClusterSpec allActive(List<String> keys) {
    return new ClusterSpec(workDir, group, instances, lease, hangRoute, topology, javaOpts, probeTimeout, probeMisses, plaintext, nodeRedDir, nodeRedInstalls, io.tandem.proto.state.GroupMode.ALL_ACTIVE, keys);
  }

  public boolean allActive() {
    return mode == io.tandem.proto.state.GroupMode.ALL_ACTIVE;
  }

  /**
   * How processes address each other. Defaults return the real addresses; a fault injector returns
   * the address of a proxy it placed in between.
   */
  public interface Topology {
    Topology DIRECT = new Topology() {};

    /** The raft address coordinator {@code from} uses to reach peer {@code to}. */
    default String raftAddress(String from, String to, String real) {
      return real;
    }

    /** The gRPC addresses of the coordinators as agent {@code instance} dials them. */
    default List<String> coordinatorsForAgent(String instance, List<String> real) {
      return real;
    }

    /**
     * JVM options (TANDEM_JAVA_OPTS) of a process: a coordinator id, or "agent-" + instance; null
     * leaves TANDEM_JAVA_OPTS unset (the launcher's defaults).
     */
    default String javaOpts(String process, String base) {
      return base;
    }

    /** Extra environment of a process (same names as {@link #javaOpts}), e.g. libfaketime. */
    default java.util.Map<String, String> environment(String process) {
      return java.util.Map.of();
    }
  }
}

package io.tandem.coordinator.config;

import io.tandem.common.config.ConfigException;
import io.tandem.common.config.HostPort;
import io.tandem.common.config.YamlSection;
import io.tandem.common.tls.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a coordinator's YAML file. Every problem names the file and the field, e.g.
 * {@code coordinator.yaml: peers[1].raft: "abc" is not host:port}. Durations and addresses use
 * the shared syntax of {@link io.tandem.common.config.Durations} and {@link HostPort}; a key given
 * twice is an error.
 *
 * <pre>
 * nodeId: c1
 * dataDir: /var/lib/tandem/c1
 * peers:
 *   - {id: c1, raft: 127.0.0.1:7201, grpc: 127.0.0.1:7101}
 *   - {id: c2, raft: 127.0.0.1:7202, grpc: 127.0.0.1:7102}
 *   - {id: c3, raft: 127.0.0.1:7203, grpc: 127.0.0.1:7103}
 * metrics: 127.0.0.1:7301        # optional
 * lease: {duration: 2s, renewInterval: 250ms, standbyFreshness: 1s, tickInterval: 20ms}
 * locks: {settle: 250ms}          # optional; all-active groups (default: lease.renewInterval)
 * switchoverTimeout: 10s
 * flows: {keepRevisions: 20}     # optional
 * context: {maxValueBytes: 1MB, maxGroupBytes: 32MB}   # optional
 * tls: {ca: ca.crt, cert: peer-c1.crt, key: peer-c1.key}   # or tls: {insecure: true}; required
 * </pre>
 */
public final class ConfigLoader {
  private static final Set<String> TOP =
      Set.of("nodeId", "clusterId", "dataDir", "peers", "metrics", "lease", "switchoverTimeout", "flows", "context",
          "join", "tls", "locks");
  private static final Set<String> LOCKS = Set.of("settle");
  private static final Set<String> FLOWS = Set.of("keepRevisions");
  private static final Set<String> CONTEXT = Set.of("maxValueBytes", "maxGroupBytes");
  private static final Set<String> PEER = Set.of("id", "raft", "grpc");
  private static final Set<String> LEASE =
      Set.of("duration", "renewInterval", "standbyFreshness", "tickInterval");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String ID_RULE = "use 1-64 of A-Z a-z 0-9 . _ -";

  private ConfigLoader() {}

  /** Loads {@code file}; {@code nodeIdOverride} and {@code dataDirOverride} win over the file. */
  public static CoordinatorConfig load(Path file, String nodeIdOverride, Path dataDirOverride)
      throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(file.getFileName().toString(), text, nodeIdOverride, dataDirOverride,
        file.toAbsolutePath().getParent());
  }

  /** Relative TLS file names resolve against the current directory. */
  public static CoordinatorConfig parse(
      String source, String yaml, String nodeIdOverride, Path dataDirOverride)
      throws ConfigException {
    return parse(source, yaml, nodeIdOverride, dataDirOverride, Path.of("").toAbsolutePath());
  }

  /** {@code base}: the folder relative TLS file names resolve against (the config file's). */
  public static CoordinatorConfig parse(
      String source, String yaml, String nodeIdOverride, Path dataDirOverride, Path base)
      throws ConfigException {
    YamlSection root = YamlSection.parse(yaml, source, "a mapping with nodeId, dataDir and peers");
    root.onlyKnown(TOP);
    String nodeId = nodeIdOverride != null ? nodeIdOverride : root.required("nodeId", "this node's id, one of the peers' ids");
    if (!ID.matcher(nodeId).matches()) {
      throw root.error("nodeId", "\"" + nodeId + "\" is invalid: " + ID_RULE);
    }
    String clusterId = root.string("clusterId", "tandem");
    Path dataDir = dataDirOverride != null ? dataDirOverride
        : Path.of(root.required("dataDir", "a directory for the Raft log and snapshots"));
    List<PeerConfig> peers = peers(root);
    if (peers.stream().noneMatch(p -> p.id().equals(nodeId))) {
      throw root.error("nodeId", "\"" + nodeId + "\" is not the id of any entry in peers");
    }
    Optional<HostPort> metrics = Optional.ofNullable(root.hostPort("metrics", null, true, ""));
    LeaseSettings lease = locks(root.section("locks"), lease(root.section("lease")));
    Duration switchover = root.duration("switchoverTimeout", Duration.ofSeconds(10));
    String join = root.string("join", "false");
    if (!join.equals("true") && !join.equals("false")) {
      throw root.error("join", "must be true or false (true on a new coordinator that tandemctl"
          + " members add will add to a running cluster), not \"" + join + "\"");
    }
    return new CoordinatorConfig(nodeId, clusterId, dataDir, peers, metrics, lease, switchover,
        flows(root.section("flows")), context(root.section("context")), Boolean.parseBoolean(join),
        TlsSettings.read(root, base));
  }

  private static ContextSettings context(YamlSection s) throws ConfigException {
    s.onlyKnown(CONTEXT);
    ContextSettings d = ContextSettings.DEFAULTS;
    long value = size(s, "maxValueBytes", d.maxValueBytes(), ContextSettings.MAX_VALUE_BYTES);
    long group = size(s, "maxGroupBytes", d.maxGroupBytes(), ContextSettings.MAX_GROUP_BYTES);
    if (group < value) {
      throw s.error("maxGroupBytes", "must be at least maxValueBytes (" + value + " bytes), got " + group + " bytes");
    }
    return new ContextSettings(value, group);
  }

  private static long size(YamlSection s, String field, long dflt, long max) throws ConfigException {
    String text = s.string(field, null);
    if (text == null) {
      return dflt;
    }
    long bytes;
    try {
      bytes = ByteSizes.parse(text);
    } catch (IllegalArgumentException e) {
      throw s.error(field, e.getMessage());
    }
    if (bytes < ContextSettings.MIN_BYTES || bytes > max) {
      throw s.error(field, "must be between 1KB and " + (max / (1024 * 1024)) + "MB, got \"" + text + "\"");
    }
    return bytes;
  }

  private static FlowsSettings flows(YamlSection s) throws ConfigException {
    s.onlyKnown(FLOWS);
    return new FlowsSettings(s.integer("keepRevisions", FlowsSettings.DEFAULTS.keepRevisions(), 1,
        FlowsSettings.MAX_KEEP_REVISIONS));
  }

  private static List<PeerConfig> peers(YamlSection root) throws ConfigException {
    List<YamlSection> list = root.sections("peers");
    if (list.isEmpty()) {
      throw root.error("peers", "a list of {id, raft, grpc} is required (3 peers for a fault-tolerant cluster)");
    }
    List<PeerConfig> peers = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<HostPort> addresses = new HashSet<>();
    for (YamlSection p : list) {
      p.onlyKnown(PEER);
      String id = p.required("id", "the peer's id");
      if (!ID.matcher(id).matches()) {
        throw p.error("id", "\"" + id + "\" is invalid: " + ID_RULE);
      }
      if (!ids.add(id)) {
        throw p.error("id", "\"" + id + "\" appears twice");
      }
      HostPort raft = address(p, "raft");
      HostPort grpc = address(p, "grpc");
      if (!addresses.add(raft)) {
        throw p.error("raft", raft + " is used twice");
      }
      if (!addresses.add(grpc)) {
        throw p.error("grpc", grpc + " is used twice");
      }
      peers.add(new PeerConfig(id, raft, grpc));
    }
    return peers;
  }

  private static HostPort address(YamlSection p, String field) throws ConfigException {
    HostPort a = p.hostPort(field, null, false, "");
    if (a == null) {
      throw p.error(field, "is required (host:port)");
    }
    return a;
  }

  private static LeaseSettings locks(YamlSection s, LeaseSettings lease) throws ConfigException {
    s.onlyKnown(LOCKS);
    Duration settle = s.duration("settle", lease.renewInterval());
    if (settle.compareTo(lease.lease()) > 0) {
      throw s.error("settle", "must be at most lease.duration (" + lease.lease().toMillis()
          + "ms): a free lock waits this long for every instance that wants it (got " + settle.toMillis() + "ms)");
    }
    return lease.withLockSettle(settle);
  }

  private static LeaseSettings lease(YamlSection s) throws ConfigException {
    LeaseSettings d = LeaseSettings.DEFAULTS;
    s.onlyKnown(LEASE);
    Duration lease = s.duration("duration", d.lease());
    Duration renew = s.duration("renewInterval", d.renewInterval());
    Duration fresh = s.duration("standbyFreshness", d.standbyFreshness());
    Duration tick = s.duration("tickInterval", d.tickInterval());
    if (lease.toMillis() < 500) {
      throw s.error("duration", "must be at least 500ms (got " + lease.toMillis() + "ms)");
    }
    if (renew.multipliedBy(3).compareTo(lease) > 0) {
      throw s.error("renewInterval", "must be at most a third of lease.duration so a lost heartbeat or two does not end the lease");
    }
    if (tick.compareTo(Duration.ofSeconds(1)) > 0) {
      throw s.error("tickInterval", "must be between 1ms and 1s");
    }
    return new LeaseSettings(lease, renew, fresh, tick);
  }
}

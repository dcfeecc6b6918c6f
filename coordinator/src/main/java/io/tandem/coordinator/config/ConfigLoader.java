package io.tandem.coordinator.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a coordinator's YAML file. Every problem names the file and the field, e.g.
 * {@code coordinator.yaml: peers[1].raft: "abc" is not host:port}.
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
 * switchoverTimeout: 10s
 * flows: {keepRevisions: 20}     # optional
 * </pre>
 */
public final class ConfigLoader {
  private static final Set<String> TOP =
      Set.of("nodeId", "clusterId", "dataDir", "peers", "metrics", "lease", "switchoverTimeout", "flows");
  private static final Set<String> FLOWS = Set.of("keepRevisions");
  private static final Set<String> PEER = Set.of("id", "raft", "grpc");
  private static final Set<String> LEASE =
      Set.of("duration", "renewInterval", "standbyFreshness", "tickInterval");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)?");

  private final String source;

  private ConfigLoader(String source) {
    this.source = source;
  }

  /** Loads {@code file}; {@code nodeIdOverride} and {@code dataDirOverride} win over the file. */
  public static CoordinatorConfig load(Path file, String nodeIdOverride, Path dataDirOverride)
      throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(file.getFileName().toString(), text, nodeIdOverride, dataDirOverride);
  }

  public static CoordinatorConfig parse(
      String source, String yaml, String nodeIdOverride, Path dataDirOverride)
      throws ConfigException {
    return new ConfigLoader(source).build(yaml, nodeIdOverride, dataDirOverride);
  }

  private CoordinatorConfig build(String yaml, String nodeIdOverride, Path dataDirOverride)
      throws ConfigException {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (JsonProcessingException e) {
      throw fail("", "not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw fail("", "expected a mapping with nodeId, dataDir and peers");
    }
    onlyKnown(root, TOP, "");
    String nodeId = nodeIdOverride != null ? nodeIdOverride : text(root, "nodeId", true);
    if (!ID.matcher(nodeId).matches()) {
      throw fail("nodeId", "\"" + nodeId + "\" is invalid: use 1-64 of A-Z a-z 0-9 . _ -");
    }
    String clusterId = Optional.ofNullable(text(root, "clusterId", false)).orElse("tandem");
    String dataDirText = dataDirOverride != null ? null : text(root, "dataDir", true);
    if (dataDirText != null && dataDirText.isBlank()) {
      throw fail("dataDir", "is required (a directory for the Raft log and snapshots)");
    }
    Path dataDir = dataDirOverride != null ? dataDirOverride : Path.of(dataDirText);
    List<PeerConfig> peers = peers(root.get("peers"));
    if (peers.stream().noneMatch(p -> p.id().equals(nodeId))) {
      throw fail("nodeId", "\"" + nodeId + "\" is not the id of any entry in peers");
    }
    String metricsText = text(root, "metrics", false);
    Optional<HostPort> metrics =
        metricsText == null ? Optional.empty() : Optional.of(address("metrics", metricsText));
    LeaseSettings lease = lease(root.get("lease"));
    Duration switchover =
        duration(root, "switchoverTimeout", Duration.ofSeconds(10), "switchoverTimeout");
    return new CoordinatorConfig(nodeId, clusterId, dataDir, peers, metrics, lease, switchover,
        flows(root.get("flows")));
  }

  private FlowsSettings flows(JsonNode node) throws ConfigException {
    if (node == null || node.isNull()) {
      return FlowsSettings.DEFAULTS;
    }
    if (!node.isObject()) {
      throw fail("flows", "expected a mapping with " + FLOWS);
    }
    onlyKnown(node, FLOWS, "flows.");
    JsonNode keep = node.get("keepRevisions");
    if (keep == null || keep.isNull()) {
      return FlowsSettings.DEFAULTS;
    }
    if (!keep.isIntegralNumber() || keep.asLong() < 1 || keep.asLong() > FlowsSettings.MAX_KEEP_REVISIONS) {
      throw fail("flows.keepRevisions", "\"" + keep.asText() + "\" is not a whole number from 1 to "
          + FlowsSettings.MAX_KEEP_REVISIONS);
    }
    return new FlowsSettings(keep.asInt());
  }

  private List<PeerConfig> peers(JsonNode node) throws ConfigException {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw fail("peers", "a list of {id, raft, grpc} is required (3 peers for a fault-tolerant cluster)");
    }
    List<PeerConfig> peers = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<HostPort> addresses = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String at = "peers[" + i + "]";
      JsonNode p = node.get(i);
      if (!p.isObject()) {
        throw fail(at, "expected {id, raft, grpc}");
      }
      onlyKnown(p, PEER, at + ".");
      String id = text(p, "id", true, at + ".id");
      if (!ID.matcher(id).matches()) {
        throw fail(at + ".id", "\"" + id + "\" is invalid: use 1-64 of A-Z a-z 0-9 . _ -");
      }
      if (!ids.add(id)) {
        throw fail(at + ".id", "\"" + id + "\" appears twice");
      }
      HostPort raft = address(at + ".raft", text(p, "raft", true, at + ".raft"));
      HostPort grpc = address(at + ".grpc", text(p, "grpc", true, at + ".grpc"));
      if (!addresses.add(raft)) {
        throw fail(at + ".raft", raft + " is used twice");
      }
      if (!addresses.add(grpc)) {
        throw fail(at + ".grpc", grpc + " is used twice");
      }
      peers.add(new PeerConfig(id, raft, grpc));
    }
    return peers;
  }

  private LeaseSettings lease(JsonNode node) throws ConfigException {
    LeaseSettings d = LeaseSettings.DEFAULTS;
    if (node == null || node.isNull()) {
      return d;
    }
    if (!node.isObject()) {
      throw fail("lease", "expected a mapping with " + LEASE);
    }
    onlyKnown(node, LEASE, "lease.");
    Duration lease = duration(node, "duration", d.lease(), "lease.duration");
    Duration renew = duration(node, "renewInterval", d.renewInterval(), "lease.renewInterval");
    Duration fresh =
        duration(node, "standbyFreshness", d.standbyFreshness(), "lease.standbyFreshness");
    Duration tick = duration(node, "tickInterval", d.tickInterval(), "lease.tickInterval");
    if (lease.toMillis() < 500) {
      throw fail("lease.duration", "must be at least 500ms (got " + lease.toMillis() + "ms)");
    }
    if (renew.multipliedBy(3).compareTo(lease) > 0) {
      throw fail("lease.renewInterval", "must be at most a third of lease.duration so a lost heartbeat or two does not end the lease");
    }
    if (tick.isZero() || tick.compareTo(Duration.ofSeconds(1)) > 0) {
      throw fail("lease.tickInterval", "must be between 1ms and 1s");
    }
    return new LeaseSettings(lease, renew, fresh, tick);
  }

  private Duration duration(JsonNode parent, String key, Duration fallback, String at)
      throws ConfigException {
    JsonNode v = parent.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (v.isIntegralNumber()) {
      return positive(at, Duration.ofMillis(v.asLong()));
    }
    var m = DURATION.matcher(v.asText().trim());
    if (!v.isTextual() || !m.matches()) {
      throw fail(at, "\"" + v.asText() + "\" is not a duration (e.g. 250ms, 2s, 1m, or a number of ms)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    Duration d =
        switch (unit) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofMillis(n);
        };
    return positive(at, d);
  }

  private Duration positive(String at, Duration d) throws ConfigException {
    if (d.isZero() || d.isNegative()) {
      throw fail(at, "must be greater than zero");
    }
    return d;
  }

  private HostPort address(String at, String value) throws ConfigException {
    try {
      return HostPort.parse(value);
    } catch (IllegalArgumentException e) {
      throw fail(at, e.getMessage());
    }
  }

  private String text(JsonNode parent, String key, boolean required) throws ConfigException {
    return text(parent, key, required, key);
  }

  private String text(JsonNode parent, String key, boolean required, String at)
      throws ConfigException {
    JsonNode v = parent.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        throw fail(at, "is required");
      }
      return null;
    }
    if (!v.isValueNode()) {
      throw fail(at, "expected a single value");
    }
    return v.asText();
  }

  private void onlyKnown(JsonNode node, Set<String> known, String prefix) throws ConfigException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw fail(prefix + name, "unknown field (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  private ConfigException fail(String at, String problem) {
    return new ConfigException(source + ": " + (at.isEmpty() ? "" : at + ": ") + problem);
  }
}

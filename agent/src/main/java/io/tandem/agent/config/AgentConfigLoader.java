package io.tandem.agent.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tandem.agent.nodered.NodeRedSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and validates an agent's YAML file; every error names the file and the field. */
public final class AgentConfigLoader {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private AgentConfigLoader() {}

  public static AgentConfig load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), base);
  }

  /** Parses YAML text; {@code fileName} appears in errors, relative paths resolve against {@code base}. */
  public static AgentConfig parse(String text, String fileName, Path base) throws ConfigException {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      throw new ConfigException(fileName + ": not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
    } catch (IOException e) {
      throw new ConfigException(fileName + ": cannot read: " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException(fileName + ": the file is empty");
    }
    if (!root.isObject()) {
      throw new ConfigException(fileName + ": must be a YAML mapping (group:, instance:, ...)");
    }
    YamlSection top = new YamlSection(fileName, "", root);
    top.onlyKnown(Set.of("group", "instance", "host", "coordinators", "http", "lease", "probe",
        "nodeRed", "hooks"));
    String group = name(top, "group");
    String instance = name(top, "instance");
    String host = top.string("host", "");
    List<String> coordinators = top.strings("coordinators");
    if (coordinators.isEmpty()) {
      throw top.error("coordinators", "is required: a list of the coordinators' gRPC host:port");
    }
    for (int i = 0; i < coordinators.size(); i++) {
      try {
        HostPort.parse(coordinators.get(i), false);
      } catch (IllegalArgumentException e) {
        throw top.error("coordinators[" + i + "]", e.getMessage());
      }
    }
    HostPort http;
    try {
      http = top.has("http")
          ? HostPort.parse(top.string("http", ""), true) : AgentConfig.DEFAULT_HTTP;
    } catch (IllegalArgumentException e) {
      throw top.error("http", e.getMessage() + " (the local API's listen address, e.g. 127.0.0.1:7401)");
    }
    LeaseSettings lease = lease(top.section("lease"));
    NodeRedSettings nodeRed = NodeRedSection.read(top.section("nodeRed"), top.section("probe"), base);
    HookSettings hooks = hooks(top.section("hooks"));
    return new AgentConfig(group, instance, host, coordinators, http, lease, nodeRed, hooks);
  }

  private static String name(YamlSection s, String field) throws ConfigException {
    String v = s.required(field, "letters, digits, '.', '_' or '-', at most 64");
    if (!NAME.matcher(v).matches()) {
      throw s.error(field, "\"" + v + "\" may only contain letters, digits, '.', '_' or '-' (1-64)");
    }
    return v;
  }

  private static LeaseSettings lease(YamlSection s) throws ConfigException {
    s.onlyKnown(Set.of("driftBound", "stopBudget", "renewInterval", "rpcTimeout"));
    double drift = s.decimal("driftBound", LeaseSettings.DEFAULT_DRIFT_BOUND, 0.0, 0.5);
    Duration stopBudget = s.duration("stopBudget", LeaseSettings.DEFAULT_STOP_BUDGET);
    Duration renew = s.duration("renewInterval", LeaseSettings.DEFAULT_RENEW_INTERVAL);
    Duration rpc = s.duration("rpcTimeout", LeaseSettings.DEFAULT_RPC_TIMEOUT);
    if (renew.compareTo(Duration.ofMillis(10)) < 0) {
      throw s.error("renewInterval", "must be at least 10ms, got " + renew.toMillis() + "ms");
    }
    if (stopBudget.compareTo(Duration.ofSeconds(60)) > 0) {
      throw s.error("stopBudget", "must be at most 60s (it is taken from the lease)");
    }
    return new LeaseSettings(drift, stopBudget, renew, rpc);
  }

  private static HookSettings hooks(YamlSection s) throws ConfigException {
    s.onlyKnown(Set.of("onActivate", "onDeactivate", "timeout"));
    return new HookSettings(s.string("onActivate", ""), s.string("onDeactivate", ""),
        s.duration("timeout", HookSettings.DEFAULT_TIMEOUT));
  }

  /** An http(s) URL with a host, or a ConfigException naming the field. */
  static URI httpUrl(YamlSection s, String field) throws ConfigException {
    String text = s.required(field, "the base URL of the running Node-RED, e.g. http://127.0.0.1:1880/");
    try {
      URI u = new URI(text);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw s.error(field, "must be an http:// or https:// URL with a host, got \"" + text + "\"");
      }
      return u;
    } catch (URISyntaxException e) {
      throw s.error(field, "is not a URL: " + e.getMessage());
    }
  }
}

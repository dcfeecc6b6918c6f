package io.tandem.agent.config;

import io.tandem.agent.http.BearerToken;
import io.tandem.agent.nodered.NodeRedSettings;
import io.tandem.agent.nodered.TokenFile;
import io.tandem.common.config.ConfigException;
import io.tandem.common.config.HostPort;
import io.tandem.common.config.YamlSection;
import io.tandem.common.tls.TlsSettings;
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
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{16,512}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

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
    YamlSection top = YamlSection.parse(text, fileName, "group:, instance:, coordinators:, ...");
    top.onlyKnown(Set.of("group", "instance", "host", "coordinators", "http", "lease", "probe",
        "nodeRed", "hooks", "learnCoordinators", "context", "tls"));
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
    // http: HOST:PORT, or a mapping {listen: HOST:PORT, token: T | tokenFile: FILE}
    YamlSection httpSection = top.isMapping("http") ? top.section("http") : null;
    HostPort http = httpSection == null
        ? top.hostPort("http", AgentConfig.DEFAULT_HTTP, true, "the local API's listen address, e.g. 127.0.0.1:7401")
        : httpSection.hostPort("listen", AgentConfig.DEFAULT_HTTP, true,
            "the local API's listen address, e.g. 127.0.0.1:7401");
    BearerToken httpToken = httpSection == null ? BearerToken.NONE : httpToken(httpSection, base);
    LeaseSettings lease = lease(top.section("lease"));
    NodeRedSettings nodeRed = NodeRedSection.read(top.section("nodeRed"), top.section("probe"), base);
    HookSettings hooks = hooks(top.section("hooks"));
    String learn = top.string("learnCoordinators", "true");
    if (!learn.equals("true") && !learn.equals("false")) {
      throw top.error("learnCoordinators", "must be true or false (whether to also call the"
          + " coordinators the cluster reports, e.g. one added later), not \"" + learn + "\"");
    }
    ContextSettings context = context(top.section("context"));
    return new AgentConfig(group, instance, host, coordinators, http, lease, nodeRed, hooks, httpToken,
        Boolean.parseBoolean(learn), context, TlsSettings.read(top, base));
  }

  /** http.token or http.tokenFile (an owner-only file, read once at start), at most one of them. */
  private static BearerToken httpToken(YamlSection s, Path base) throws ConfigException {
    s.onlyKnown(Set.of("listen", "token", "tokenFile"));
    if (s.has("token") && s.has("tokenFile")) {
      throw s.error("token", "give http.token or http.tokenFile, not both");
    }
    if (s.has("token")) {
      String t = s.string("token", "");
      if (!TOKEN.matcher(t).matches()) {
        throw s.error("token", "must be 16 to 512 characters from [A-Za-z0-9._~+/=-] (it travels in an "
            + "Authorization header); e.g. the output of: openssl rand -base64 32");
      }
      return BearerToken.of(t);
    }
    if (s.has("tokenFile")) {
      Path file = s.path("tokenFile", base);
      if (file == null) {
        throw s.error("tokenFile", "is empty: give the path of a file (mode 0600) holding the token");
      }
      try {
        return BearerToken.of(TokenFile.read(file));
      } catch (java.nio.file.NoSuchFileException e) {
        throw s.error("tokenFile", file + ": no such file");
      } catch (IOException e) {
        throw s.error("tokenFile", e.getMessage());
      }
    }
    return BearerToken.NONE;
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
    if (rpc.compareTo(Duration.ofSeconds(60)) > 0) {
      throw s.error("rpcTimeout", "must be at most 60s (a heartbeat waits this long for an answer)");
    }
    // Whether these fit is known only when the coordinators grant a lease: see
    // LeaseSettings.unusableWith, checked on every grant (the agent logs the minimum at start).
    return new LeaseSettings(drift, stopBudget, renew, rpc);
  }

  private static ContextSettings context(YamlSection s) throws ConfigException {
    s.onlyKnown(Set.of("enabled", "default", "flushInterval", "maxBatchOps"));
    boolean enabled = s.bool("enabled", true);
    boolean isDefault = s.bool("default", false);
    Duration flush = s.duration("flushInterval", ContextSettings.DEFAULT_FLUSH_INTERVAL);
    if (flush.compareTo(ContextSettings.MAX_FLUSH_INTERVAL) > 0) {
      throw s.error("flushInterval", "must be at most 10s (a crash loses up to one interval of "
          + "writes), got " + flush.toMillis() + "ms");
    }
    int maxOps = s.integer("maxBatchOps", ContextSettings.DEFAULT_MAX_BATCH_OPS, 1,
        ContextSettings.MAX_BATCH_OPS_LIMIT);
    if (isDefault && !enabled) {
      throw s.error("default", "is true but context.enabled is false: the tandem store cannot be "
          + "the default store when it is not registered");
    }
    return new ContextSettings(enabled, isDefault, flush, maxOps);
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

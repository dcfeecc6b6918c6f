package io.tandem.agent.config;

import io.tandem.common.config.ConfigException;
import io.tandem.common.config.YamlSection;
import io.tandem.agent.nodered.NodeRedSettings;
import io.tandem.agent.nodered.NodeRedSettings.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The {@code nodeRed:} and {@code probe:} sections, turned into {@link NodeRedSettings}. */
final class NodeRedSection {
  /** Name of the agent's admin token file, in the userDir (launch mode) when not configured. */
  static final String DEFAULT_TOKEN_FILE = "tandem-agent.token";

  private NodeRedSection() {}

  static NodeRedSettings read(YamlSection s, YamlSection probe, Path base) throws ConfigException {
    s.onlyKnown(Set.of("mode", "command", "userDir", "host", "port", "args", "env", "url",
        "tokenFile", "restartBackoff", "stopTimeout", "adminCa", "editorUrl"));
    String editorUrl = s.has("editorUrl") ? AgentConfigLoader.httpUrl(s, "editorUrl").toString() : null;
    probe.onlyKnown(Set.of("interval", "timeout", "misses"));
    String modeText = s.string("mode", "launch").toLowerCase(Locale.ROOT);
    Mode mode = switch (modeText) {
      case "launch" -> Mode.LAUNCH;
      case "attach" -> Mode.ATTACH;
      default -> throw s.error("mode", "must be launch (the agent runs Node-RED) or attach "
          + "(someone else runs it), got \"" + modeText + "\"");
    };
    Duration interval = probe.duration("interval", NodeRedSettings.DEFAULT_PROBE_INTERVAL);
    Duration timeout = probe.duration("timeout", NodeRedSettings.DEFAULT_PROBE_TIMEOUT);
    int misses = probe.integer("misses", NodeRedSettings.DEFAULT_PROBE_MISSES, 1, 100);
    YamlSection backoff = s.section("restartBackoff");
    backoff.onlyKnown(Set.of("min", "max"));
    Duration min = backoff.duration("min", NodeRedSettings.DEFAULT_BACKOFF_MIN);
    Duration max = backoff.duration("max", NodeRedSettings.DEFAULT_BACKOFF_MAX);
    if (max.compareTo(min) < 0) {
      throw backoff.error("max", "(" + max.toMillis() + "ms) is shorter than min ("
          + min.toMillis() + "ms)");
    }
    Path tokenFile = s.path("tokenFile", base);
    Path adminCa = s.path("adminCa", base);
    if (adminCa != null) {
      try {
        io.tandem.agent.nodered.AdminTls.trusting(adminCa);
      } catch (java.io.IOException e) {
        throw s.error("adminCa", e.getMessage());
      }
    }
    if (mode == Mode.LAUNCH) {
      if (s.has("url")) {
        throw s.error("url", "is for attach mode; in launch mode set host and port");
      }
      Path userDir = s.path("userDir", base);
      if (userDir == null) {
        throw s.error("userDir", "is required in launch mode (the Node-RED user directory; "
            + "created if missing, existing files are kept)");
      }
      int port = s.integer("port", 0, 1, 65535);
      if (port == 0) {
        throw s.error("port", "is required in launch mode (the port Node-RED listens on)");
      }
      List<String> command = s.strings("command");
      List<String> args = s.strings("args");
      Map<String, String> env = s.stringMap("env");
      String host = s.string("host", NodeRedSettings.DEFAULT_HOST);
      Duration stopTimeout = s.duration("stopTimeout", NodeRedSettings.DEFAULT_STOP_TIMEOUT);
      if (tokenFile == null) {
        tokenFile = userDir.resolve(DEFAULT_TOKEN_FILE);
      }
      return new NodeRedSettings(mode, command, userDir, host, port, args, env, null, tokenFile,
          interval, timeout, misses, min, max, stopTimeout, adminCa, editorUrl);
    }
    for (String launchOnly : List.of("command", "host", "port", "args", "env", "stopTimeout")) {
      if (s.has(launchOnly)) {
        throw s.error(launchOnly, "is for launch mode; in attach mode only url, tokenFile, adminCa, editorUrl and userDir apply");
      }
    }
    // attach mode: optional; the attached Node-RED's userDir, where the group's flows are kept (.tandem/)
    Path attachedUserDir = s.path("userDir", base);
    var url = AgentConfigLoader.httpUrl(s, "url");
    if (tokenFile == null) {
      throw s.error("tokenFile", "is required in attach mode (the token that the attached "
          + "Node-RED's adminAuth accepts; see docs/agent.md)");
    }
    return new NodeRedSettings(mode, List.of(), attachedUserDir, null, 0, List.of(), Map.of(), url, tokenFile,
        interval, timeout, misses, min, max, null, adminCa, editorUrl);
  }
}

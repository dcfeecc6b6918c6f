package io.tandem.agent.nodered;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one Node-RED runtime is run and watched. Built and validated by the agent's config loader;
 * the constructor only checks what would make the runtime code itself misbehave.
 *
 * @param mode              LAUNCH (the agent starts and supervises Node-RED) or ATTACH (someone else runs it)
 * @param command           LAUNCH: e.g. ["node", "/path/node_modules/node-red/red.js"]; empty = "node-red" on PATH
 * @param userDir           LAUNCH: the Node-RED userDir (created if missing; user files preserved)
 * @param host              LAUNCH: listen address (uiHost), default "127.0.0.1"
 * @param port              LAUNCH: Node-RED port (uiPort)
 * @param extraArgs         LAUNCH: appended to the command line
 * @param env               LAUNCH: extra environment for the Node-RED process
 * @param url               ATTACH: base URL of the runtime, e.g. http://127.0.0.1:1880/
 * @param tokenFile         the agent's admin token: read if present (must be owner-only), else generated 0600
 * @param probeInterval     time between two probes (GET /flows/state)
 * @param probeTimeout      response timeout of one probe
 * @param probeMisses       consecutive missed probes that mean "hung"
 * @param restartBackoffMin first delay before a restart after an exit
 * @param restartBackoffMax upper bound of the doubling restart delay
 * @param stopTimeout       LAUNCH: how long a closing agent waits for Node-RED to exit after SIGTERM
 *                          (its flows already stopped) before it sends SIGKILL
 * @param adminCa           PEM certificates the agent trusts for an HTTPS admin API (launch: settings.js with
 *                          https; attach: an https url); null: plain HTTP (launch) or the JVM's trust (attach)
 * @param editorUrl         where a browser reaches this Node-RED's editor (sent in heartbeats so that a
 *                          standby's editor can link the active's); null: {@link #editorUrlOrDefault()}
 */
public record NodeRedSettings(
    Mode mode,
    List<String> command,
    Path userDir,
    String host,
    int port,
    List<String> extraArgs,
    Map<String, String> env,
    URI url,
    Path tokenFile,
    Duration probeInterval,
    Duration probeTimeout,
    int probeMisses,
    Duration restartBackoffMin,
    Duration restartBackoffMax,
    Duration stopTimeout,
    Path adminCa,
    String editorUrl) {

  public enum Mode { LAUNCH, ATTACH }

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofMillis(100);
  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofMillis(250);
  public static final int DEFAULT_PROBE_MISSES = 3;
  public static final Duration DEFAULT_BACKOFF_MIN = Duration.ofMillis(200);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(10);
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

  public NodeRedSettings {
    Objects.requireNonNull(mode, "mode");
    command = command == null ? List.of() : List.copyOf(command);
    extraArgs = extraArgs == null ? List.of() : List.copyOf(extraArgs);
    env = env == null ? Map.of() : Map.copyOf(env);
    host = host == null || host.isBlank() ? DEFAULT_HOST : host;
    probeInterval = probeInterval == null ? DEFAULT_PROBE_INTERVAL : probeInterval;
    probeTimeout = probeTimeout == null ? DEFAULT_PROBE_TIMEOUT : probeTimeout;
    probeMisses = probeMisses <= 0 ? DEFAULT_PROBE_MISSES : probeMisses;
    restartBackoffMin = restartBackoffMin == null ? DEFAULT_BACKOFF_MIN : restartBackoffMin;
    restartBackoffMax = restartBackoffMax == null ? DEFAULT_BACKOFF_MAX : restartBackoffMax;
    stopTimeout = stopTimeout == null ? DEFAULT_STOP_TIMEOUT : stopTimeout;
    Objects.requireNonNull(tokenFile, "tokenFile");
    if (mode == Mode.LAUNCH) {
      Objects.requireNonNull(userDir, "userDir is required in launch mode");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535 in launch mode, got " + port);
      }
    } else {
      Objects.requireNonNull(url, "url is required in attach mode");
    }
    if (extraArgs.contains("--safe")) {
      throw new IllegalArgumentException("extraArgs must not contain --safe: a deploy in safe mode starts the "
          + "flows, so a spare would run them");
    }
    if (probeInterval.isNegative() || probeInterval.isZero() || probeTimeout.isNegative() || probeTimeout.isZero()) {
      throw new IllegalArgumentException("probeInterval and probeTimeout must be positive");
    }
    if (stopTimeout.isNegative()) {
      throw new IllegalArgumentException("stopTimeout must not be negative, got " + stopTimeout);
    }
    if (restartBackoffMax.compareTo(restartBackoffMin) < 0) {
      throw new IllegalArgumentException("restartBackoffMax (" + restartBackoffMax
          + ") is shorter than restartBackoffMin (" + restartBackoffMin + ")");
    }
  }

  /** Without an editorUrl (derived from the address, see {@link #editorUrlOrDefault()}). */
  public NodeRedSettings(Mode mode, List<String> command, Path userDir, String host, int port,
      List<String> extraArgs, Map<String, String> env, URI url, Path tokenFile, Duration probeInterval,
      Duration probeTimeout, int probeMisses, Duration restartBackoffMin, Duration restartBackoffMax,
      Duration stopTimeout, Path adminCa) {
    this(mode, command, userDir, host, port, extraArgs, env, url, tokenFile, probeInterval, probeTimeout,
        probeMisses, restartBackoffMin, restartBackoffMax, stopTimeout, adminCa, null);
  }

  /** Without adminCa (plain HTTP in launch mode). */
  public NodeRedSettings(Mode mode, List<String> command, Path userDir, String host, int port,
      List<String> extraArgs, Map<String, String> env, URI url, Path tokenFile, Duration probeInterval,
      Duration probeTimeout, int probeMisses, Duration restartBackoffMin, Duration restartBackoffMax,
      Duration stopTimeout) {
    this(mode, command, userDir, host, port, extraArgs, env, url, tokenFile, probeInterval, probeTimeout,
        probeMisses, restartBackoffMin, restartBackoffMax, stopTimeout, null);
  }

  /** With the default stopTimeout. */
  public NodeRedSettings(Mode mode, List<String> command, Path userDir, String host, int port,
      List<String> extraArgs, Map<String, String> env, URI url, Path tokenFile, Duration probeInterval,
      Duration probeTimeout, int probeMisses, Duration restartBackoffMin, Duration restartBackoffMax) {
    this(mode, command, userDir, host, port, extraArgs, env, url, tokenFile, probeInterval, probeTimeout,
        probeMisses, restartBackoffMin, restartBackoffMax, (Duration) null);
  }

  /** Launch mode with default host, probe and backoff settings. */
  public static NodeRedSettings launch(List<String> command, Path userDir, int port, Path tokenFile) {
    return new NodeRedSettings(Mode.LAUNCH, command, userDir, DEFAULT_HOST, port, List.of(), Map.of(),
        null, tokenFile, null, null, 0, null, null, (Duration) null);
  }

  /** Attach mode with default probe settings. */
  public static NodeRedSettings attach(URI url, Path tokenFile) {
    return new NodeRedSettings(Mode.ATTACH, List.of(), null, null, 0, List.of(), Map.of(),
        url, tokenFile, null, null, 0, null, null, (Duration) null);
  }

  /** This settings with {@code adminCa}. */
  public NodeRedSettings withAdminCa(Path ca) {
    return new NodeRedSettings(mode, command, userDir, host, port, extraArgs, env, url, tokenFile, probeInterval,
        probeTimeout, probeMisses, restartBackoffMin, restartBackoffMax, stopTimeout, ca, editorUrl);
  }

  /** This settings with {@code editorUrl}. */
  public NodeRedSettings withEditorUrl(String editor) {
    return new NodeRedSettings(mode, command, userDir, host, port, extraArgs, env, url, tokenFile, probeInterval,
        probeTimeout, probeMisses, restartBackoffMin, restartBackoffMax, stopTimeout, adminCa, editor);
  }

  /**
   * The editor's address for browsers: {@link #editorUrl} if set, else the Node-RED address the agent
   * uses ({@link #baseUrl()}; https in launch mode with adminCa). Set editorUrl when browsers reach
   * Node-RED by another name (a listen address of 0.0.0.0, a proxy).
   */
  public String editorUrlOrDefault() {
    if (editorUrl != null && !editorUrl.isBlank()) {
      return editorUrl;
    }
    String base = baseUrl().toString();
    return mode == Mode.LAUNCH && adminCa != null && base.startsWith("http:") ? "https" + base.substring(4) : base;
  }

  /** The base URL of the admin API: {@link #url} in attach mode, http://host:port/ in launch mode. */
  public URI baseUrl() {
    if (mode == Mode.ATTACH) {
      String s = url.toString();
      return URI.create(s.endsWith("/") ? s : s + "/");
    }
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    if ("0.0.0.0".equals(h)) {
      h = "127.0.0.1";
    } else if ("[::]".equals(h)) {
      h = "[::1]";
    }
    return URI.create("http://" + h + ":" + port + "/");
  }
}

package io.tandem.agent.nodered;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where things live in a Node-RED userDir prepared by the agent. Public so that tests and tools can
 * place flows before a launch or read the runtime's log.
 */
public record UserDirLayout(Path userDir) {

  public UserDirLayout {
    Objects.requireNonNull(userDir, "userDir");
    userDir = userDir.toAbsolutePath().normalize();
  }

  /** The user's own settings (never written by the agent; loaded by {@link #tandemSettingsFile()}). */
  public Path userSettingsFile() {
    return userDir.resolve("settings.js");
  }

  /** The settings file the agent owns and passes with --settings; rewritten before every launch. */
  public Path tandemSettingsFile() {
    return userDir.resolve("tandem-settings.js");
  }

  /** Node-RED's default flows file (when settings.js sets no flowFile and the host name is not used). */
  public Path flowsFile() {
    return userDir.resolve("flows.json");
  }

  /** Runtime state Node-RED persists (instanceId, runtimeFlowState, possibly _credentialSecret). */
  public Path runtimeConfigFile() {
    return userDir.resolve(".config.runtime.json");
  }

  /** The admin-route module that serves POST/GET /tandem/fence. */
  public Path fenceModuleFile() {
    return userDir.resolve("nodes").resolve("tandem-fence.js");
  }

  public Path fenceModuleHtmlFile() {
    return userDir.resolve("nodes").resolve("tandem-fence.html");
  }

  /** The httpAdminMiddleware that refuses a start or stop of the flows without the agent's token. */
  public Path guardModuleFile() {
    return userDir.resolve("tandem-guard.js");
  }

  /** Attach mode: the module a user's settings.js wraps its settings with (see docs/agent.md). */
  public Path attachModuleFile() {
    return userDir.resolve("tandem-attach.js");
  }

  /** The agent's admin token when nodeRed.tokenFile is not configured (launch mode). */
  public Path defaultTokenFile() {
    return userDir.resolve("tandem-agent.token");
  }

  /** Written by tandem-settings.js at every start: {"pid": N, "adminRoot": "/..."}. */
  public Path launchInfoFile() {
    return userDir.resolve(".tandem-launch.json");
  }

  /** The Tandem storage plugin (node-red/lib/storage.js), loaded by the generated settings. */
  public Path storageModuleFile() {
    return userDir.resolve("tandem-storage.js");
  }

  /** The Tandem context store (node-red/lib/context.js), registered by the generated settings. */
  public Path contextModuleFile() {
    return userDir.resolve("tandem-context.js");
  }

  /**
   * The npm package node-red-contrib-tandem as the agent writes it (the tandem leader and tandem role
   * nodes, the editor sidebar): the generated settings add it to Node-RED's nodesDir.
   */
  public Path nodesPackageDir() {
    return userDir.resolve(".tandem-nodes");
  }

  /** The group's data kept on this host: current.json (written by the agent), editor.json (by the plugin). */
  public Path groupDataDir() {
    return userDir.resolve(".tandem");
  }

  /** The local copy of the group's flows revision: {"revision", "flows", "credentials"}. */
  public Path currentRevisionFile() {
    return groupDataDir().resolve("current.json");
  }

  /** Node-RED's stdout and stderr, appended across launches (rotated once when large). */
  public Path logFile() {
    return userDir.resolve("tandem-node-red.log");
  }
}

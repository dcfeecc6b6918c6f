package io.tandem.agent.nodered;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code tandem-agent --release-userdir DIR}: gives a userDir back to plain Node-RED. Removes
 * "runtimeFlowState" from .config.runtime.json (every other key kept), so that Node-RED starts its
 * flows at boot again, and deletes every file the agent added. The user's own files (settings.js,
 * flows, credentials, nodes) are never touched. Refused while an agent or its Node-RED runs there.
 */
public final class UserDirRelease {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The userDir is in use: an agent or the Node-RED it launched is still running. */
  public static final class InUseException extends IOException {
    InUseException(String message) {
      super(message);
    }
  }

  private UserDirRelease() {}

  /** Every file the agent may add to a userDir (launch mode, and the attach-mode install). */
  public static List<Path> agentFiles(UserDirLayout layout) {
    return List.of(
        layout.tandemSettingsFile(),
        layout.guardModuleFile(),
        layout.attachModuleFile(),
        layout.fenceModuleFile(),
        layout.fenceModuleHtmlFile(),
        layout.launchInfoFile(),
        layout.launchInfoFile().resolveSibling(layout.launchInfoFile().getFileName() + ".tmp"),
        layout.logFile(),
        layout.logFile().resolveSibling(layout.logFile().getFileName() + ".1"),
        layout.defaultTokenFile(),
        layout.storageModuleFile(),
        layout.currentRevisionFile(),
        layout.groupDataDir().resolve("editor.json"));
  }

  /**
   * Releases the userDir and returns what was changed or removed, one line each (empty: there
   * was nothing of the agent's left).
   *
   * @throws InUseException if the agent or its Node-RED still runs for this userDir
   * @throws IOException    if the folder is missing or a file cannot be read or changed
   */
  public static List<String> release(Path userDir) throws IOException {
    UserDirLayout layout = new UserDirLayout(userDir);
    if (!Files.isDirectory(layout.userDir())) {
      throw new IOException(layout.userDir() + " is not a directory: give the Node-RED userDir "
          + "(nodeRed.userDir of the agent's configuration)");
    }
    checkNotRunning(layout);
    // first, so that an unreadable local revision stops the release before anything changed
    List<String> done = new ArrayList<>(GroupFlowsWriteBack.writeBack(layout));
    Path runtimeConfig = layout.runtimeConfigFile();
    ObjectNode config = UserDirPreparer.readRuntimeConfig(runtimeConfig);
    if (config != null && config.has("runtimeFlowState")) {
      String was = config.get("runtimeFlowState").asText();
      config.remove("runtimeFlowState");
      UserDirPreparer.writeRuntimeConfig(runtimeConfig, config, Files.getPosixFilePermissions(runtimeConfig));
      done.add("changed " + runtimeConfig + ": removed \"runtimeFlowState\":\"" + was
          + "\" (Node-RED starts its flows at boot again; other keys kept)");
    }
    for (Path f : agentFiles(layout)) {
      if (Files.deleteIfExists(f)) {
        done.add("removed " + f);
      }
    }
    done.addAll(removeNodesPackage(layout));
    Path nodes = layout.fenceModuleFile().getParent();
    for (Path dir : List.of(layout.userDir(), nodes, layout.groupDataDir())) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path tmp : files.filter(p -> p.getFileName().toString().endsWith(".tandem-tmp")).toList()) {
          Files.deleteIfExists(tmp);
          done.add("removed " + tmp);
        }
      }
    }
    for (Path dir : List.of(nodes, layout.groupDataDir())) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> left = Files.list(dir)) {
        if (left.findAny().isEmpty()) {
          Files.delete(dir);
          done.add("removed empty folder " + dir);
        }
      }
    }
    return done;
  }

  /** Removes the files of node-red-contrib-tandem the agent wrote, then its folders if empty. */
  private static List<String> removeNodesPackage(UserDirLayout layout) throws IOException {
    List<String> done = new ArrayList<>();
    Path root = layout.nodesPackageDir();
    for (String name : UserDirPreparer.NODES_PACKAGE_FILES) {
      Path f = root.resolve(name);
      if (Files.deleteIfExists(f)) {
        done.add("removed " + f);
      }
      Files.deleteIfExists(f.resolveSibling(f.getFileName() + ".tandem-tmp"));
    }
    for (Path dir : List.of(root.resolve("lib"), root.resolve("nodes"), root.resolve("plugins"), root)) {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> left = Files.list(dir)) {
          if (left.findAny().isEmpty()) {
            Files.delete(dir);
            done.add("removed empty folder " + dir);
          }
        }
      }
    }
    return done;
  }

  /**
   * Refuses while the Node-RED of the last launch (pid in .tandem-launch.json) or the agent that
   * launched it (agentPid) is alive. A pid that now belongs to an unrelated process (reused after
   * a reboot) is recognised by its command line when it is visible.
   */
  static void checkNotRunning(UserDirLayout layout) throws IOException {
    Path info = layout.launchInfoFile();
    if (!Files.exists(info)) {
      return;
    }
    JsonNode n;
    try {
      n = JSON.readTree(info.toFile());
    } catch (IOException e) {
      return; // half-written by a process that died: nothing to check
    }
    long nodePid = n.path("pid").asLong(-1);
    Optional<ProcessHandle> node = alive(nodePid);
    if (node.isPresent() && mayBe(node.get(), layout.userDir().toString(), "node")) {
      throw new InUseException("Node-RED (pid " + nodePid + ") still runs for " + layout.userDir()
          + "; stop the Tandem agent that runs it (e.g. systemctl stop tandem-agent) and run this again");
    }
    long agentPid = n.path("agentPid").asLong(-1);
    Optional<ProcessHandle> agent = alive(agentPid);
    if (agent.isPresent() && mayBe(agent.get(), "java")) {
      throw new InUseException("the Tandem agent (pid " + agentPid + ") that launched Node-RED for "
          + layout.userDir() + " still runs; stop it (e.g. systemctl stop tandem-agent) and run this "
          + "again. If pid " + agentPid + " is not that agent, delete " + info + " first");
    }
  }

  private static Optional<ProcessHandle> alive(long pid) {
    // this process is never the one to wait for (the command runs in its own JVM; an embedder
    // that closed its agent calls this from the agent's former JVM)
    if (pid <= 0 || pid == ProcessHandle.current().pid()) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
  }

  /**
   * False only when the process's command line is visible and has none of the hints (Node-RED sets
   * its process title, which hides its arguments, but its executable stays node).
   */
  private static boolean mayBe(ProcessHandle h, String... hints) {
    Optional<String> cmd = h.info().commandLine().or(() -> h.info().command());
    return cmd.isEmpty() || java.util.Arrays.stream(hints).anyMatch(cmd.get()::contains);
  }
}

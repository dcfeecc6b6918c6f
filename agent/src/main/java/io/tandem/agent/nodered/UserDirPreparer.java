package io.tandem.agent.nodered;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * Prepares a userDir for a launch without touching the user's own files: writes the agent's settings
 * file and fence module, and merges "runtimeFlowState":"stop" into .config.runtime.json (other keys kept).
 */
public final class UserDirPreparer {
  /** What the agent's token may do in Node-RED: read and change flows (and their state), set the token. */
  static final List<String> AGENT_PERMISSIONS = List.of("flows.read", "flows.write");

  /**
   * The files of node-red-contrib-tandem (node-red/ in the source tree, resources under package/ in
   * the jar) that Node-RED loads as the Tandem nodes and the editor sidebar.
   */
  static final List<String> NODES_PACKAGE_FILES = List.of("package.json", "lib/role-watcher.js",
      "nodes/tandem-leader.js", "nodes/tandem-leader.html", "nodes/tandem-role.js", "nodes/tandem-role.html",
      "plugins/tandem-sidebar.js", "plugins/tandem-sidebar.html");

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The Tandem context store for the generated settings.
   *
   * @param agentUrl  the agent's local HTTP address the store calls
   * @param isDefault the store is Node-RED's default context store
   */
  public record ContextPlugin(URI agentUrl, boolean isDefault) {}

  private UserDirPreparer() {}

  /** Idempotent; called before every launch. Without the storage plugin (no agent address). */
  public static void prepare(UserDirLayout layout, String host, int port, Path tokenFile) throws IOException {
    prepare(layout, host, port, tokenFile, null);
  }

  /**
   * Idempotent; called before every launch. With {@code storageAgent} (the agent's local HTTP
   * address) the settings load the Tandem storage plugin, written as tandem-storage.js.
   */
  public static void prepare(UserDirLayout layout, String host, int port, Path tokenFile, URI storageAgent)
      throws IOException {
    prepare(layout, host, port, tokenFile, storageAgent, false, null);
  }

  /**
   * As above; {@code httpsTrusted}: the agent trusts an HTTPS admin API (nodeRed.adminCa is set), so a
   * settings.js with https is allowed (otherwise it is refused at Node-RED's start with the reason).
   */
  public static void prepare(UserDirLayout layout, String host, int port, Path tokenFile, URI storageAgent,
      boolean httpsTrusted) throws IOException {
    prepare(layout, host, port, tokenFile, storageAgent, httpsTrusted, null);
  }

  /**
   * As {@link #prepare(UserDirLayout, String, int, Path, URI)}; with {@code context} the settings
   * also register the Tandem context store, written as tandem-context.js.
   */
  public static void prepare(UserDirLayout layout, String host, int port, Path tokenFile, URI storageAgent,
      ContextPlugin context) throws IOException {
    prepare(layout, host, port, tokenFile, storageAgent, false, context);
  }

  /** Both: an HTTPS admin API the agent trusts, and the context store ({@code null}: none). */
  public static void prepare(UserDirLayout layout, String host, int port, Path tokenFile, URI storageAgent,
      boolean httpsTrusted, ContextPlugin context) throws IOException {
    Files.createDirectories(layout.userDir());
    if (nodesAgent(storageAgent, context) != null) {
      writeNodesPackage(layout);
    }
    if (context != null) {
      writeAtomically(layout.contextModuleFile(), resource("plugins/context.js"), null);
    }
    Files.createDirectories(layout.fenceModuleFile().getParent());
    if (storageAgent != null) {
      Files.createDirectories(layout.groupDataDir());
      writeAtomically(layout.storageModuleFile(), resource("plugins/storage.js"), null);
    }
    writeAtomically(layout.tandemSettingsFile(),
        settingsFile(layout, host, port, tokenFile, storageAgent, httpsTrusted, context), null);
    writeAtomically(layout.fenceModuleFile(), resource("tandem-fence.js"), null);
    writeAtomically(layout.fenceModuleHtmlFile(), resource("tandem-fence.html"), null);
    writeAtomically(layout.guardModuleFile(), resource("tandem-guard.js"), null);
    mergeFlowsStopped(layout.runtimeConfigFile());
  }

  /**
   * Attach mode: installs into the userDir of a Node-RED that something else runs the files its
   * settings.js needs (tandem-attach.js, tandem-guard.js, the fence module) and merges
   * "runtimeFlowState":"stop" so that it boots with its flows stopped. Run while it is stopped.
   *
   * @return the files written or changed
   */
  public static List<Path> installAttachFiles(UserDirLayout layout) throws IOException {
    if (!Files.isDirectory(layout.userDir())) {
      throw new IOException(layout.userDir() + " is not a directory: give the userDir of the Node-RED "
          + "that the agent attaches to");
    }
    Files.createDirectories(layout.fenceModuleFile().getParent());
    writeAtomically(layout.attachModuleFile(), resource("tandem-attach.js"), null);
    writeAtomically(layout.guardModuleFile(), resource("tandem-guard.js"), null);
    writeAtomically(layout.fenceModuleFile(), resource("tandem-fence.js"), null);
    writeAtomically(layout.fenceModuleHtmlFile(), resource("tandem-fence.html"), null);
    writeAtomically(layout.contextModuleFile(), resource("plugins/context.js"), null);
    List<Path> nodes = writeNodesPackage(layout);
    mergeFlowsStopped(layout.runtimeConfigFile());
    List<Path> written = new java.util.ArrayList<>(List.of(layout.attachModuleFile(), layout.guardModuleFile(),
        layout.fenceModuleFile(), layout.fenceModuleHtmlFile(), layout.contextModuleFile()));
    written.addAll(nodes);
    written.add(layout.runtimeConfigFile());
    return List.copyOf(written);
  }

  /** The agent address the Tandem nodes call: the context store's, else the storage plugin's. */
  private static URI nodesAgent(URI storageAgent, ContextPlugin context) {
    return context != null ? context.agentUrl() : storageAgent;
  }

  /** Writes node-red-contrib-tandem into {@link UserDirLayout#nodesPackageDir()}; returns its files. */
  static List<Path> writeNodesPackage(UserDirLayout layout) throws IOException {
    List<Path> written = new java.util.ArrayList<>();
    for (String name : NODES_PACKAGE_FILES) {
      Path target = layout.nodesPackageDir().resolve(name);
      Files.createDirectories(target.getParent());
      writeAtomically(target, resource("package/" + name), null);
      written.add(target);
    }
    return written;
  }

  /** Sets "runtimeFlowState":"stop" in Node-RED's runtime config file, keeping every other key. */
  public static void mergeFlowsStopped(Path runtimeConfig) throws IOException {
    ObjectNode config = readRuntimeConfig(runtimeConfig);
    Set<PosixFilePermission> mode = config == null ? null : Files.getPosixFilePermissions(runtimeConfig);
    if (config == null) {
      config = JSON.createObjectNode();
    } else if ("stop".equals(config.path("runtimeFlowState").asText(null))) {
      return;
    }
    config.put("runtimeFlowState", "stop");
    writeRuntimeConfig(runtimeConfig, config, mode != null ? mode : PosixFilePermissions.fromString("rw-------"));
  }

  /** Node-RED's runtime config as a JSON object, or null if the file does not exist; never repaired. */
  static ObjectNode readRuntimeConfig(Path runtimeConfig) throws IOException {
    if (!Files.exists(runtimeConfig)) {
      return null;
    }
    String text = Files.readString(runtimeConfig, StandardCharsets.UTF_8);
    JsonNode parsed;
    try {
      parsed = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    } catch (IOException e) {
      throw new IOException(runtimeConfig + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + "); it may hold "
          + "Node-RED's _credentialSecret, so the agent does not overwrite it: repair or move it away", e);
    }
    if (!(parsed instanceof ObjectNode)) {
      throw new IOException(runtimeConfig + " does not hold a JSON object; repair or move it away");
    }
    return (ObjectNode) parsed;
  }

  static void writeRuntimeConfig(Path runtimeConfig, ObjectNode config, Set<PosixFilePermission> mode)
      throws IOException {
    writeAtomically(runtimeConfig, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config), mode);
  }

  static String settingsFile(UserDirLayout layout, String host, int port, Path tokenFile) throws IOException {
    return settingsFile(layout, host, port, tokenFile, null);
  }

  static String settingsFile(UserDirLayout layout, String host, int port, Path tokenFile, URI storageAgent)
      throws IOException {
    return settingsFile(layout, host, port, tokenFile, storageAgent, false, null);
  }

  static String settingsFile(UserDirLayout layout, String host, int port, Path tokenFile, URI storageAgent,
      boolean httpsTrusted) throws IOException {
    return settingsFile(layout, host, port, tokenFile, storageAgent, httpsTrusted, null);
  }

  static String settingsFile(UserDirLayout layout, String host, int port, Path tokenFile, URI storageAgent,
      ContextPlugin context) throws IOException {
    return settingsFile(layout, host, port, tokenFile, storageAgent, false, context);
  }

  static String settingsFile(UserDirLayout layout, String host, int port, Path tokenFile, URI storageAgent,
      boolean httpsTrusted, ContextPlugin context) throws IOException {
    ObjectNode cfg = JSON.createObjectNode();
    cfg.put("httpsTrusted", httpsTrusted);
    cfg.put("userSettingsFile", layout.userSettingsFile().toString());
    cfg.put("tokenFile", tokenFile.toAbsolutePath().toString());
    cfg.put("tokenHeader", NodeRedAdminClient.TOKEN_HEADER);
    cfg.put("host", host);
    cfg.put("port", port);
    cfg.put("launchInfoFile", layout.launchInfoFile().toString());
    cfg.set("permissions", JSON.valueToTree(AGENT_PERMISSIONS));
    if (storageAgent != null) {
      cfg.putObject("storage")
          .put("moduleFile", layout.storageModuleFile().toString())
          .put("agentUrl", storageAgent.toString())
          .put("dataDir", layout.groupDataDir().toString());
    } else {
      cfg.putNull("storage");
    }
    if (context != null) {
      cfg.putObject("context")
          .put("moduleFile", layout.contextModuleFile().toString())
          .put("agentUrl", context.agentUrl().toString())
          .put("isDefault", context.isDefault());
    } else {
      cfg.putNull("context");
    }
    URI nodesAgent = nodesAgent(storageAgent, context);
    if (nodesAgent != null) {
      cfg.putObject("nodes")
          .put("dir", layout.nodesPackageDir().toString())
          .put("agentUrl", nodesAgent.toString());
    } else {
      cfg.putNull("nodes");
    }
    String template = resource("tandem-settings.js");
    String marker = "/*TANDEM_CONFIG*/";
    if (!template.contains(marker)) {
      throw new IllegalStateException("settings template lacks " + marker);
    }
    return template.replace(marker, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = UserDirPreparer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " is missing from the agent jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Writes a temp file next to the target, syncs it, and renames it over the target. */
  static void writeAtomically(Path target, String content, Set<PosixFilePermission> mode) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tandem-tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    if (mode != null) {
      Files.setPosixFilePermissions(tmp, mode);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}

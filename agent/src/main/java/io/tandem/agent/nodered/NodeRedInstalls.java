package io.tandem.agent.nodered;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Node-RED installs an agent may launch (YAML {@code nodeRed.installs}), for {@code tandemctl
 * restart --node-red-version}: either versions named in the config ({@code VERSION: DIR}), or dirs
 * whose {@code package.json} gives the version (read when a restart asks for one, so a dir
 * upgraded in place is seen). A dir is the {@code node-red} package itself (it holds {@code
 * red.js}) or an npm prefix holding {@code node_modules/node-red} (as bin/install-node-red makes).
 *
 * @param named versions given in the config, version -> dir
 * @param dirs dirs whose package.json gives the version
 */
public record NodeRedInstalls(Map<String, Path> named, List<Path> dirs) {
  public static final NodeRedInstalls NONE = new NodeRedInstalls(Map.of(), List.of());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One install: its version and the node-red package dir (which holds red.js). */
  public record Install(String version, Path packageDir) {
    public Path redJs() {
      return packageDir.resolve("red.js");
    }
  }

  public NodeRedInstalls {
    named = Map.copyOf(new LinkedHashMap<>(named));
    dirs = List.copyOf(dirs);
  }

  public boolean isEmpty() {
    return named.isEmpty() && dirs.isEmpty();
  }

  /** The install of {@code version}, or why there is none (a sentence naming what there is). */
  public Optional<Install> find(String version, StringBuilder why) {
    Path dir = named.get(version);
    if (dir != null) {
      Optional<Path> pkg = packageDir(dir);
      if (pkg.isEmpty()) {
        why.append("nodeRed.installs names " + dir + " for Node-RED " + version
            + ", but it holds no node-red package (no red.js there nor in node_modules/node-red)");
        return Optional.empty();
      }
      return Optional.of(new Install(version, pkg.get()));
    }
    List<String> have = new ArrayList<>(named.keySet());
    for (Path d : dirs) {
      Optional<Install> i = read(d);
      if (i.isPresent() && i.get().version().equals(version)) {
        return i;
      }
      have.add(i.map(Install::version).orElse(d + " (no node-red package.json)"));
    }
    why.append("this host has no Node-RED " + version + " install ("
        + (have.isEmpty() ? "nodeRed.installs is not configured" : "nodeRed.installs has: " + String.join(", ", have))
        + "); install it and list it in nodeRed.installs of the agent's config, then restart the agent");
    return Optional.empty();
  }

  /** The node-red package in {@code dir} (itself, or node_modules/node-red under it) with its version. */
  public static Optional<Install> read(Path dir) {
    Optional<Path> pkg = packageDir(dir);
    if (pkg.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode json = JSON.readTree(pkg.get().resolve("package.json").toFile());
      String v = json.path("version").asText("");
      return v.isEmpty() ? Optional.empty() : Optional.of(new Install(v, pkg.get()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The version of the node-red package a command line runs (the dir of its red.js), if it says. */
  public static Optional<String> versionOf(List<String> command) {
    return command.stream().filter(a -> a.endsWith("red.js")).findFirst()
        .flatMap(a -> read(Path.of(a).toAbsolutePath().getParent())).map(Install::version);
  }

  /**
   * {@code command} with its red.js replaced by {@code install}'s; a command without one (empty:
   * node-red on PATH) becomes {@code node <red.js>}, keeping a first element that is a node binary.
   */
  public static List<String> commandFor(List<String> command, Install install) {
    List<String> out = new ArrayList<>(command);
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).endsWith("red.js")) {
        out.set(i, install.redJs().toString());
        return List.copyOf(out);
      }
    }
    String node = !command.isEmpty() && Path.of(command.get(0)).getFileName().toString().matches("node[0-9.]*")
        ? command.get(0) : "node";
    return List.of(node, install.redJs().toString());
  }

  private static Optional<Path> packageDir(Path dir) {
    if (Files.isRegularFile(dir.resolve("red.js")) && Files.isRegularFile(dir.resolve("package.json"))) {
      return Optional.of(dir);
    }
    Path nested = dir.resolve("node_modules").resolve("node-red");
    if (Files.isRegularFile(nested.resolve("red.js")) && Files.isRegularFile(nested.resolve("package.json"))) {
      return Optional.of(nested);
    }
    return Optional.empty();
  }
}

package io.tandem.it.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository, its launchers and the Node-RED installation are. */
public final class Repo {
  private Repo() {}

  /** The repo root: system property tandem.repo.root, else the first parent of the working dir with bin/tandem-coordinator. */
  public static Path root() {
    String prop = System.getProperty("tandem.repo.root");
    if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop, "bin"))) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("bin/tandem-coordinator")) || Files.exists(p.resolve("bin/install-node-red"))) {
        return p;
      }
    }
    throw new HarnessException("cannot find the Tandem repository: set -Dtandem.repo.root=/path/to/repo");
  }

  /** bin/NAME of the repo, or the file named by the system property tandem.launcher.NAME (a wrapper). */
  public static Path launcher(String name) {
    String override = System.getProperty("tandem.launcher." + name);
    Path p = override != null && !override.isBlank() ? Path.of(override) : root().resolve("bin").resolve(name);
    if (!Files.isExecutable(p)) {
      throw new HarnessException(p + " is missing or not executable");
    }
    return p;
  }

  /** The Node-RED installation: tandem.nodered.dir, else ~/.cache/tandem/node-red-4.1.8. */
  public static Path nodeRedDir() {
    String prop = System.getProperty("tandem.nodered.dir");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    String version = System.getProperty("tandem.nodered.version", "4.1.8");
    return Path.of(System.getProperty("user.home"), ".cache", "tandem", "node-red-" + version);
  }

  /** node_modules/node-red/red.js of the installation, checked. */
  public static Path redJs() {
    Path js = nodeRedDir().resolve("node_modules/node-red/red.js");
    if (!Files.isRegularFile(js)) {
      throw new HarnessException("Node-RED is not installed at " + nodeRedDir() + ": run bin/install-node-red");
    }
    return js;
  }
}

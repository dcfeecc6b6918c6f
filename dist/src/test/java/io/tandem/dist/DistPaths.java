package io.tandem.dist;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the dist sources and the repository's ops/ and docs/ are (system properties set by the pom). */
final class DistPaths {
  private DistPaths() {}

  /** The dist module folder: tandem.dist.dir, else dist/ under the working dir's repo. */
  static Path distDir() {
    String prop = System.getProperty("tandem.dist.dir");
    Path p = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("").toAbsolutePath();
    if (!Files.isDirectory(p.resolve("src/systemd"))) {
      throw new IllegalStateException(p + " is not the dist module (no src/systemd): set -Dtandem.dist.dir");
    }
    return p.toAbsolutePath().normalize();
  }

  static Path repoRoot() {
    return distDir().getParent();
  }

  static Path src(String relative) {
    return distDir().resolve("src").resolve(relative);
  }

  static Path ops(String relative) {
    return repoRoot().resolve("ops").resolve(relative);
  }
}

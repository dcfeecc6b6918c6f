package io.tandem.it.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds the real programs the tests run beside Tandem (haproxy, nginx, mosquitto, redis-server, ab). */
public final class Executables {
  private Executables() {}

  /**
   * {@code name}: the path the system property {@code property} gives (when set: only that one),
   * else the first executable of {@code usualDirs} (Debian's, e.g. /usr/sbin, which a user's PATH may
   * lack), then of the PATH.
   */
  public static Optional<Path> find(String property, String name, String... usualDirs) {
    String given = property == null ? null : System.getProperty(property);
    if (given != null && !given.isBlank()) {
      return Optional.of(Path.of(given)).filter(Files::isExecutable);
    }
    List<String> dirs = new ArrayList<>(List.of(usualDirs));
    dirs.addAll(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    for (String d : dirs) {
      Path c = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isExecutable(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}

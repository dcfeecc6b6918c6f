package io.tandem.coordinator.server;

import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.coordinator.ratis.DataDirCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns what Ratis throws when a coordinator cannot start into Tandem's one paragraph: what is
 * wrong, which file, the cause, and the recovery step. Ratis' own messages name neither the file
 * nor the cause ("Failed to initRaftLog."), and its causes sit several levels down.
 */
final class StartFailures {
  private StartFailures() {}

  static StartFailure describe(Throwable e, CoordinatorConfig cfg) {
    if (e instanceof StartFailure f) {
      return f;
    }
    List<Throwable> chain = chain(e);
    Throwable root = chain.get(chain.size() - 1);
    String causes = causes(chain).replaceAll("[.\\s]+$", "");
    Path dataDir = cfg.dataDir().toAbsolutePath();
    String recovery = " To recover: stop this node, move its data dir aside (mv " + dataDir + " "
        + dataDir + ".corrupt) and start it again with an empty one; it re-syncs from its peers"
        + " (docs/coordinator.md, \"Recover from a corrupt data dir\"). Do this on one node at a"
        + " time, and only while the other peers are running and caught up.";
    if (mentions(chain, "Failed to initRaftLog") || mentions(chain, "checksum")
        || mentions(chain, "corrupt")) {
      String what = DataDirCheck.firstCorruptLogSegment(dataDir)
          .map(f -> "the Raft log segment " + f + " cannot be read")
          .orElse("the Raft log in " + dataDir + " cannot be read: " + causes);
      return new StartFailure("could not start " + cfg.nodeId() + ": " + what + "." + recovery, e);
    }
    if (mentions(chain, "snapshot")) {
      return new StartFailure("could not start " + cfg.nodeId() + ": a snapshot in " + dataDir
          + " cannot be loaded: " + causes + "." + recovery, e);
    }
    if (mentions(chain, "Failed to lock storage") || mentions(chain, "already locked")) {
      return new StartFailure("could not start " + cfg.nodeId() + ": its data dir " + dataDir
          + " is in use by another process (" + root.getMessage() + "); stop that coordinator"
          + " first, or give this one its own dataDir", e);
    }
    return new StartFailure("could not start " + cfg.nodeId() + ": " + causes, e);
  }

  private static List<Throwable> chain(Throwable e) {
    List<Throwable> out = new ArrayList<>();
    for (Throwable t = e; t != null && !out.contains(t); t = t.getCause()) {
      out.add(t);
    }
    return out;
  }

  /** The distinct messages of the chain, outermost first ("a: b: c"), without class names. */
  private static String causes(List<Throwable> chain) {
    List<String> parts = new ArrayList<>();
    for (Throwable t : chain) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      Throwable c = t.getCause();
      if (c != null && m.equals(c.toString())) {
        continue; // a wrapper that only repeats its cause
      }
      if (parts.stream().noneMatch(p -> p.contains(m))) {
        parts.add(m);
      }
    }
    return String.join(": ", parts);
  }

  private static boolean mentions(List<Throwable> chain, String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return chain.stream().anyMatch(t -> (t.getClass().getName() + " " + t.getMessage())
        .toLowerCase(Locale.ROOT).contains(w));
  }
}

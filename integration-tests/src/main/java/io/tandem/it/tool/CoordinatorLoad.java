package io.tandem.it.tool;

import io.tandem.it.harness.CoordinatorNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The three coordinator processes as /proc and their GC logs show them: CPU share of a core and
 * RSS per window and over the run, GC pauses. One reading per {@link #window()} call.
 */
final class CoordinatorLoad {
  private final List<CoordinatorNode> nodes;
  private final Path workDir;
  private final List<ProcSample> first = new ArrayList<>();
  private final List<ProcSample> last = new ArrayList<>();
  private final List<GcLog> gcFirst = new ArrayList<>();
  private final List<GcLog> gcLast = new ArrayList<>();
  private final long[] maxRssKb;

  CoordinatorLoad(List<CoordinatorNode> nodes, Path workDir) {
    this.nodes = List.copyOf(nodes);
    this.workDir = workDir;
    this.maxRssKb = new long[nodes.size()];
    for (CoordinatorNode n : nodes) {
      ProcSample s = sample(n);
      first.add(s);
      last.add(s);
      GcLog g = GcLog.read(gcLogOf(workDir, n.id()));
      gcFirst.add(g);
      gcLast.add(g);
    }
  }

  /** Where coordinator {@code id} writes its GC log (ScaleRun passes -Xlog:gc:file=...). */
  static Path gcLogOf(Path workDir, String id) {
    return workDir.resolve(id + "-gc.log");
  }

  private static ProcSample sample(CoordinatorNode n) {
    Optional<ProcSample> s = n.process() != null && n.process().isAlive() ? ProcSample.of(n.process().pid())
        : Optional.empty();
    return s.orElse(new ProcSample(System.nanoTime(), 0, 0, -1));
  }

  /** A reading now: "c1 38% 412MB gc 3/41ms, ..." for the window since the previous reading. */
  String window() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      ProcSample now = sample(nodes.get(i));
      GcLog gc = GcLog.read(gcLogOf(workDir, nodes.get(i).id()));
      maxRssKb[i] = Math.max(maxRssKb[i], now.rssKb());
      GcLog w = gc.since(gcLast.get(i));
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.0f%% %dMB gc %d/%.0fms",
          nodes.get(i).id(), 100 * now.coreShareSince(last.get(i)), now.rssKb() / 1024, w.count(), w.totalMs()));
      last.set(i, now);
      gcLast.set(i, gc);
    }
    return sb.toString();
  }

  /** Per coordinator over the run: id, CPU share of a core, peak RSS in MB, GC pauses. */
  List<Figures> run() {
    List<Figures> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      GcLog gc = gcLast.get(i).since(gcFirst.get(i));
      out.add(new Figures(nodes.get(i).id(), last.get(i).coreShareSince(first.get(i)), maxRssKb[i] / 1024,
          gc.count(), gc.totalMs(), gc.maxMs()));
    }
    return out;
  }

  record Figures(String id, double coreShare, long peakRssMb, int gcPauses, double gcTotalMs, double gcMaxMs) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s: CPU %.0f%% of a core, peak RSS %d MB, GC %d pauses, total %.0f ms, "
          + "longest %.0f ms", id, 100 * coreShare, peakRssMb, gcPauses, gcTotalMs, gcMaxMs);
    }
  }
}

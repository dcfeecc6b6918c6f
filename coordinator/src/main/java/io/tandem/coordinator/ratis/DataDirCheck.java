package io.tandem.coordinator.ratis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.util.SizeInBytes;

/**
 * Finds which file of a data dir is unreadable, for the message of a failed start: Ratis reports
 * a corrupt log as "Failed to initRaftLog." and a checksum, naming no file. Reads each log
 * segment with Ratis' own segment reader (as ratis-shell does), first bad one wins.
 */
public final class DataDirCheck {
  /** Larger than any entry Tandem writes (a flows document is at most 16 MB). */
  private static final SizeInBytes MAX_ENTRY = SizeInBytes.valueOf("64MB");

  private DataDirCheck() {}

  /** The first unreadable log segment under {@code dataDir} and why, if any. */
  public static Optional<String> firstCorruptLogSegment(Path dataDir) {
    List<Path> segments;
    try (Stream<Path> files = Files.walk(dataDir, 3)) {
      segments = files.filter(p -> p.getParent() != null
              && p.getParent().getFileName().toString().equals("current")
              && p.getFileName().toString().startsWith("log_"))
          .sorted()
          .toList();
    } catch (IOException e) {
      return Optional.empty();
    }
    for (Path p : segments) {
      LogSegmentPath s = LogSegmentPath.matchLogSegment(p);
      if (s == null) {
        continue;
      }
      try {
        LogSegment.readSegmentFile(p.toFile(), s.getStartEnd(), MAX_ENTRY, CorruptionPolicy.EXCEPTION,
            null, null);
      } catch (IOException | RuntimeException e) {
        return Optional.of(p + " (" + String.valueOf(e.getMessage()).replaceAll("[.\\s]+$", "") + ")");
      }
    }
    return Optional.empty();
  }
}

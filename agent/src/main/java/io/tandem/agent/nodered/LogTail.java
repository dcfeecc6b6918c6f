package io.tandem.agent.nodered;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines a process wrote to its log file since a given offset (its launch). */
final class LogTail {
  /** At most this many bytes are read from the end of the file. */
  static final int MAX_BYTES = 64 * 1024;
  static final int MAX_LINE_CHARS = 500;

  private LogTail() {}

  /** The size of the file now, 0 if it does not exist. */
  static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * Up to {@code maxLines} last non-blank lines written after {@code fromOffset}, each cut to
   * {@value #MAX_LINE_CHARS} characters; empty if there are none or the file cannot be read.
   */
  static List<String> lastLines(Path file, long fromOffset, int maxLines) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long end = f.length();
      long start = fromOffset > end ? 0 : Math.max(fromOffset, end - MAX_BYTES);
      byte[] bytes = new byte[(int) (end - start)];
      f.seek(start);
      f.readFully(bytes);
      List<String> lines = Arrays.stream(new String(bytes, StandardCharsets.UTF_8).split("\r?\n"))
          .filter(l -> !l.isBlank())
          .map(l -> l.length() > MAX_LINE_CHARS ? l.substring(0, MAX_LINE_CHARS) + " ..." : l)
          .toList();
      return lines.subList(Math.max(0, lines.size() - maxLines), lines.size());
    } catch (IOException e) {
      return List.of();
    }
  }
}

package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {
  @TempDir Path dir;

  @Test
  void onlyLinesWrittenSinceTheOffsetAtMostN() throws Exception {
    Path log = dir.resolve("node-red.log");
    Files.writeString(log, "an older launch\n");
    long offset = LogTail.size(log);
    Files.writeString(log, IntStream.rangeClosed(1, 30).mapToObj(i -> "line " + i).collect(Collectors.joining("\n", "", "\n\n")),
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(LogTail.lastLines(log, offset, 20)).hasSize(20).startsWith("line 11").endsWith("line 30");
    assertThat(LogTail.lastLines(log, offset, 100)).hasSize(30).doesNotContain("an older launch");
  }

  @Test
  void longLinesAreCutAndAMissingFileIsEmpty() throws Exception {
    Path log = dir.resolve("big.log");
    Files.writeString(log, "x".repeat(5000) + "\n");
    assertThat(LogTail.lastLines(log, 0, 20)).singleElement()
        .satisfies(l -> assertThat(l).hasSize(LogTail.MAX_LINE_CHARS + 4).endsWith(" ..."));
    assertThat(LogTail.lastLines(dir.resolve("missing.log"), 0, 20)).isEmpty();
    assertThat(LogTail.size(dir.resolve("missing.log"))).isZero();
    // rotated meanwhile (shorter than the offset): read from the start
    assertThat(LogTail.lastLines(log, 1_000_000, 20)).hasSize(1);
  }
}

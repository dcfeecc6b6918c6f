package io.tandem.agent.groupdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCopyTest {
  @TempDir Path dir;

  @Test
  void noCopyIsRevisionZero() throws IOException {
    LocalCopy c = new LocalCopy(dir.resolve(".tandem/current.json"));
    assertThat(c.revision()).isZero();
    assertThat(c.read()).isNull();
  }

  @Test
  void writesTheWholeRevisionPrivatelyAndReplacesItWhole() throws IOException {
    Path file = dir.resolve(".tandem/current.json");
    LocalCopy c = new LocalCopy(file);
    c.write(7, "[{\"id\":\"t\",\"type\":\"tab\"}]", "{\"$\":\"enc\"}");
    c.write(9, "[{\"id\":\"u\",\"type\":\"tab\"}]", "");
    JsonNode doc = c.read();
    assertThat(doc.path("revision").asLong()).isEqualTo(9);
    assertThat(doc.path("flows").get(0).path("id").asText()).isEqualTo("u");
    assertThat(doc.path("credentials").isObject()).isTrue();
    assertThat(doc.path("credentials").size()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    try (var files = Files.list(file.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("current.json");
    }
  }

  @Test
  void neverGoesBackToAnOlderRevision() throws IOException {
    LocalCopy c = new LocalCopy(dir.resolve("current.json"));
    c.write(12, "[{\"id\":\"new\",\"type\":\"tab\"}]", "");
    c.write(10, "[{\"id\":\"old\",\"type\":\"tab\"}]", "");
    assertThat(c.revision()).isEqualTo(12);
    assertThat(c.read().path("flows").get(0).path("id").asText()).isEqualTo("new");
  }

  @Test
  void badFlowsJsonIsRefusedAndTheOldCopyKept() throws IOException {
    LocalCopy c = new LocalCopy(dir.resolve("current.json"));
    c.write(3, "[]", "");
    assertThatThrownBy(() -> c.write(4, "[{", "")).isInstanceOf(IOException.class);
    assertThat(c.revision()).isEqualTo(3);
  }
}

package io.tandem.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutablesTest {
  private static final String PROPERTY = "tandem.executables-test";

  @TempDir
  Path dir;

  @AfterEach
  void clear() {
    System.clearProperty(PROPERTY);
  }

  @Test
  void aUsualDirComesBeforeThePathAndNeedsTheExecutableBit() throws Exception {
    Path tool = Files.writeString(dir.resolve("sh"), "#!/bin/sh\n");
    assertThat(Executables.find(null, "sh", dir.toString())).as("not executable: the PATH's sh")
        .hasValueSatisfying(p -> assertThat(p).isNotEqualTo(tool));
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
    assertThat(Executables.find(null, "sh", dir.toString())).hasValue(tool);
    assertThat(Executables.find(null, "no-such-program-here", dir.toString())).isEmpty();
  }

  @Test
  void thePropertyWhenSetIsTheOnlyPlaceLookedAt() throws Exception {
    System.setProperty(PROPERTY, dir.resolve("missing").toString());
    assertThat(Executables.find(PROPERTY, "sh")).as("a wrong -D is not silently replaced").isEmpty();
    Path tool = Files.writeString(dir.resolve("mine"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
    System.setProperty(PROPERTY, tool.toString());
    assertThat(Executables.find(PROPERTY, "sh")).hasValue(tool);
  }
}

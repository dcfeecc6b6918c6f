package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
  @TempDir Path dir;

  @Test
  void generatesAnOwnerOnlyTokenOnceAndReadsItBack() throws IOException {
    Path file = dir.resolve("secrets/agent.token");
    String first = TokenFile.loadOrCreate(file);
    assertThat(first).matches("[A-Za-z0-9_-]{43}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(TokenFile.loadOrCreate(file)).isEqualTo(first);
    assertThat(TokenFile.loadOrCreate(dir.resolve("other.token"))).isNotEqualTo(first);
  }

  @Test
  void refusesATokenFileOthersCanRead() throws IOException {
    Path file = dir.resolve("agent.token");
    Files.writeString(file, "0123456789abcdef0123\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> TokenFile.loadOrCreate(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("chmod 600")
        .hasMessageContaining("rw-r--r--");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(TokenFile.loadOrCreate(file)).isEqualTo("0123456789abcdef0123");
  }

  @Test
  void refusesATokenThatCannotTravelInAHeader() throws IOException {
    Path file = dir.resolve("agent.token");
    Files.writeString(file, "short");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> TokenFile.loadOrCreate(file)).hasMessageContaining("16 to 512 characters");
    Files.writeString(file, "has spaces inside the token value");
    assertThatThrownBy(() -> TokenFile.loadOrCreate(file)).isInstanceOf(IOException.class);
  }
}

package io.tandem.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' JDK options (bin/java-compat.sh): every JDK gets --enable-native-access, JDK 23+
 * also --sun-misc-unsafe-memory-access (17 and 21 refuse to start with it), and on a real JDK 25
 * tandemctl prints no JVM warning (it printed 8 lines on every call before).
 */
class JavaCompatOptsTest {
  private static final String NATIVE =
      "--enable-native-access=ALL-UNNAMED -Djava.util.concurrent.ForkJoinPool.common.parallelism=8";
  private static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";

  @TempDir Path tmp;

  @Test
  void optionsFollowTheJdkVersionInItsReleaseFile() throws Exception {
    assertThat(optsFor(jdk("17", "JAVA_VERSION=\"17.0.15\""))).isEqualTo(NATIVE);
    assertThat(optsFor(jdk("21", "JAVA_VERSION=\"21.0.5\""))).isEqualTo(NATIVE);
    assertThat(optsFor(jdk("23", "JAVA_VERSION=\"23\""))).isEqualTo(NATIVE + " " + UNSAFE);
    assertThat(optsFor(jdk("25", "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.3\""))).isEqualTo(NATIVE + " " + UNSAFE);
    assertThat(optsFor(jdk("none", null))).as("no release file: only what every JDK knows").isEqualTo(NATIVE);
    assertThat(optsFor(jdk("odd", "JAVA_VERSION=\"x\""))).isEqualTo(NATIVE);
  }

  @Test
  void tandemctlOnJdk25PrintsNoJvmWarning() throws Exception {
    Path jdk25 = Path.of(System.getenv().getOrDefault("JAVA25_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"));
    Assumptions.assumeTrue(Files.isExecutable(jdk25.resolve("bin/java")), "no JDK 25 at " + jdk25);
    Path tandemctl = DistPaths.repoRoot().resolve("bin/tandemctl");
    // nothing listens on port 1: the command connects (Netty, protobuf) and fails with exit 2
    ProcessBuilder pb = new ProcessBuilder(tandemctl.toString(), "--insecure", "--coordinators", "127.0.0.1:1",
        "--timeout", "1s", "status");
    pb.environment().put("JAVA_HOME", jdk25.toString());
    pb.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(out).as("tandemctl's output on JDK 25").contains("no coordinator reachable").doesNotContain("WARNING");
      assertThat(p.exitValue()).isEqualTo(2);
    } finally {
      p.destroyForcibly();
    }
  }

  /** A fake JDK home: bin/java (never run) and the release file, if any. */
  private Path jdk(String name, String release) throws IOException {
    Path home = Files.createDirectories(tmp.resolve(name));
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\nexit 1\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (release != null) {
      Files.writeString(home.resolve("release"), release + "\n");
    }
    return java;
  }

  private static String optsFor(Path java) throws Exception {
    Path script = DistPaths.src("bin/java-compat.sh");
    Process p = new ProcessBuilder(List.of("bash", "-c", ". \"$0\"; tandem_java_compat_opts \"$1\"",
        script.toString(), java.toString())).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      return out;
    } finally {
      p.destroyForcibly();
    }
  }
}

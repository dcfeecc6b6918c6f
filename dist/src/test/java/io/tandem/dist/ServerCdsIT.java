package io.tandem.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.it.harness.ProcessRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The coordinator's and the agent's class-data archives (bin/cds.sh, tandem_cds_server;
 * docs/install.md, "Start-up time"), with the built jars and the real training runs: a first start
 * runs without an archive and makes one in the background; the next start uses it (the JVM refuses
 * to start with -Xshare:on when an archive is unusable); a training never outlives the server that
 * started it.
 * The server is a {@code sleep} that the launcher snippet execs into, as the launcher execs java.
 */
class ServerCdsIT {
  /** A server the launchers run: its module, the training class and the main class. */
  enum Server {
    COORDINATOR("coordinator", "io.tandem.coordinator.server.CdsTraining", "io.tandem.coordinator.server.CoordinatorMain"),
    AGENT("agent", "io.tandem.agent.CdsTraining", "io.tandem.agent.AgentMain");

    final String name;
    final String training;
    final String main;

    Server(String name, String training, String main) {
      this.name = name;
      this.training = training;
      this.main = main;
    }
  }

  @TempDir Path tmp;
  private Process server;

  @AfterEach
  void killServer() {
    if (server != null) {
      ProcessRegistry.killTree(server.toHandle());
    }
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void theFirstStartMakesAnArchiveInTheBackgroundAndTheNextStartUsesIt(Server kind) throws Exception {
    Path dir = tmp.resolve("cds");
    server = launch(kind, dir, 0, 300);
    assertThat(firstLine(server)).as("no archive yet: this start runs without").isEqualTo("opts=[]");
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
        .until(() -> archives(kind, dir).size() == 1);
    ProcessRegistry.killTree(server.toHandle());

    server = launch(kind, dir, 0, 300);
    String opts = firstLine(server);
    Path archive = archives(kind, dir).get(0);
    assertThat(opts).contains("-XX:SharedArchiveFile=" + archive);
    Process java = ProcessRegistry.start(new ProcessBuilder(List.of(java(), "-Xshare:on",
        "-XX:SharedArchiveFile=" + archive, "-cp", classPath(kind), kind.main, "--version"))
        .redirectErrorStream(true));
    String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(java.exitValue()).as(out).isZero();
    assertThat(out).contains("tandem-" + kind.name);
  }

  @Test
  void aTrainingEndsWithItsServerAndLeavesNoArchive() throws Exception {
    Path dir = tmp.resolve("cds");
    server = launch(Server.COORDINATOR, dir, 0, 4);
    assertThat(firstLine(server)).isEqualTo("opts=[]");
    // the training JVM starts at once (no delay); the server ends 4 s after its start
    await().atMost(Duration.ofSeconds(3)).until(() -> server.descendants().anyMatch(ServerCdsIT::isJava));
    List<ProcessHandle> training = server.descendants().toList();
    assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> training.stream().noneMatch(ProcessHandle::isAlive));
    assertThat(archives(Server.COORDINATOR, dir)).isEmpty();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void offMeansNoArchiveAndNoTraining() throws Exception {
    Path dir = tmp.resolve("cds");
    server = launch(Server.COORDINATOR, dir, 0, 300, "TANDEM_CDS=off");
    assertThat(firstLine(server)).isEqualTo("opts=[]");
    Thread.sleep(1000);
    assertThat(server.descendants().toList()).isEmpty();
    assertThat(Files.exists(dir)).isFalse();
  }

  /** The launcher's steps: tandem_cds_server, print its options, then exec the "server". */
  private Process launch(Server kind, Path dir, int delay, int serverSeconds, String... env) throws IOException {
    String script = ". \"$1/java-compat.sh\"; . \"$1/cds.sh\"; "
        + "tandem_cds_server " + kind.name + " \"$2\" \"$3\" \"$4\" " + kind.training
        + " $(tandem_java_compat_opts \"$2\"); "
        + "echo \"opts=[$TANDEM_CDS_OPTS]\"; exec sleep " + serverSeconds;
    ProcessBuilder pb = new ProcessBuilder(List.of("bash", "-c", script, "launcher",
        DistPaths.src("bin").toString(), java(), dir.toString(), classPath(kind)));
    pb.environment().put("TANDEM_CDS_DELAY", Integer.toString(delay));
    for (String e : env) {
      String[] kv = e.split("=", 2);
      pb.environment().put(kv[0], kv[1]);
    }
    return ProcessRegistry.start(pb.redirectErrorStream(true));
  }

  private static String firstLine(Process p) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    return line == null ? "" : line;
  }

  private static List<Path> archives(Server kind, Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches(kind.name + "-\\d+\\.jsa")).toList();
    }
  }

  /** The built jar of the server's module and its libraries, as bin/tandem-NAME runs them. */
  private static String classPath(Server kind) throws IOException {
    Path target = DistPaths.repoRoot().resolve(kind.name).resolve("target");
    try (Stream<Path> s = Files.list(target)) {
      Path jar = s.filter(p -> p.getFileName().toString().matches("tandem-" + kind.name + "-[^-]+(-SNAPSHOT)?\\.jar"))
          .findFirst().orElseThrow(() -> new IllegalStateException("no coordinator jar in " + target
              + ": build with mvn -B package"));
      return jar + ":" + target.resolve("lib") + "/*";
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static boolean isJava(ProcessHandle h) {
    return h.info().command().map(c -> c.endsWith("/java")).orElse(false);
  }
}

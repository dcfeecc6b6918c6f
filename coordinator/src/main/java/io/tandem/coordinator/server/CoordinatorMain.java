package io.tandem.coordinator.server;

import io.tandem.common.config.ConfigException;
import io.tandem.coordinator.config.ConfigLoader;
import io.tandem.coordinator.config.CoordinatorConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem-coordinator --config FILE}: runs one coordinator until SIGTERM/SIGINT. */
@Command(
    name = "tandem-coordinator",
    mixinStandardHelpOptions = true,
    versionProvider = CoordinatorMain.Version.class,
    description = {
      "Runs one Tandem coordinator: a member of the 3-node Raft cluster that holds, for every"
          + " group of Node-RED instances, the active instance and its fencing token.",
      "Stops gracefully (hands Raft leadership over) on SIGTERM or SIGINT."
    },
    footer = {
      "",
      "Exit codes: 0 stopped, 1 could not start (port in use, data dir unusable), 2 bad usage or config.",
      "Configuration reference: docs/coordinator.md"
    })
public final class CoordinatorMain implements Callable<Integer> {
  static {
    Logs.configure();
  }

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "YAML configuration file (nodeId, peers, dataDir, metrics, lease, ...)")
  Path config;

  @Option(names = "--node-id", paramLabel = "ID",
      description = "this coordinator's id; overrides nodeId in the file")
  String nodeId;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Raft log and snapshots; overrides dataDir in the file")
  Path dataDir;

  private final PrintWriter err;
  private final CountDownLatch stop = new CountDownLatch(1);

  CoordinatorMain(PrintWriter err) {
    this.err = err;
  }

  /** See bin/java-compat.sh: the launchers set it; this covers a JVM started another way. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    // before anything uses the common pool: on JDK 19+ CompletableFuture runs its default async
    // stages there even with parallelism 1 (a 2-core host), where Ratis appends followers' entries
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, "8");
    }
    System.exit(run(args, new PrintWriter(System.err, true)));
  }

  static int run(String[] args, PrintWriter err) {
    CommandLine cli = new CommandLine(new CoordinatorMain(err));
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      err.println("tandem-coordinator: " + e.getMessage());
      return 1;
    });
    return cli.execute(args);
  }

  /** Loads the config only (tests): returns it, or throws with a message naming the field. */
  static CoordinatorConfig load(Path file, String nodeId, Path dataDir) throws ConfigException {
    return ConfigLoader.load(file, nodeId, dataDir);
  }

  @Override
  public Integer call() throws Exception {
    CoordinatorConfig cfg;
    try {
      cfg = load(config, nodeId, dataDir);
    } catch (ConfigException e) {
      err.println("tandem-coordinator: bad configuration: " + e.getMessage());
      return 2;
    }
    CoordinatorServer server;
    try {
      server = new CoordinatorServer(cfg);
    } catch (Exception e) {
      err.println("tandem-coordinator: " + StartFailures.describe(e, cfg).getMessage());
      return 1;
    }
    try {
      server.start();
    } catch (Exception e) {
      server.kill();
      err.println("tandem-coordinator: " + StartFailures.describe(e, cfg).getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stop.countDown();
    }, "tandem-shutdown"));
    stop.await();
    return 0;
  }

  /** The version from the jar's manifest, if built by Maven. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = CoordinatorMain.class.getPackage().getImplementationVersion();
      return new String[] {"tandem-coordinator " + (v == null ? "(development build)" : v)};
    }
  }
}

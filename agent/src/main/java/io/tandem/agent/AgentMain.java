package io.tandem.agent;

import io.tandem.agent.config.AgentConfig;
import io.tandem.agent.config.AgentConfigLoader;
import io.tandem.common.config.ConfigException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem-agent --config agent.yaml}: runs one agent until SIGTERM / SIGINT. */
@Command(
    name = "tandem-agent",
    mixinStandardHelpOptions = true,
    versionProvider = AgentMain.Version.class,
    description = {
        "Runs the Tandem agent next to one Node-RED: its flows run only while",
        "the coordinators' committed decision and a live lease say so.",
        "Local API: /health, /active (200 only on the active), /status, /metrics.",
        "Configuration reference: docs/agent.md.",
        "Without --config: --release-userdir or --install-attach-files (one of the three)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped on a signal (or the userDir command is done)", "1:failed while running",
        "2:bad command line or configuration, or the userDir is in use"})
public final class AgentMain implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "the agent's YAML configuration: run the agent")
  Path config;

  @Option(names = "--release-userdir", paramLabel = "DIR",
      description = {"leave Tandem: give the Node-RED userDir DIR back to plain Node-RED (flows start",
          "at boot again; every file the agent added is removed) and list what changed.",
          "Refused while the agent or its Node-RED runs."})
  Path releaseUserDir;

  @Option(names = "--install-attach-files", paramLabel = "DIR",
      description = {"attach mode: install tandem-attach.js, tandem-guard.js and the fence module into",
          "the userDir DIR of a stopped Node-RED, make it boot with its flows stopped, and print",
          "the lines to add to its settings.js"})
  Path attachUserDir;

  public static void main(String[] args) {
    configureLogging();
    System.exit(run(args));
  }

  /** slf4j-simple defaults for a service: timestamps, thread names, INFO; -D options win. */
  private static void configureLogging() {
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
    setIfAbsent("org.slf4j.simpleLogger.log.io.grpc", "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.io.netty", "warn");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  static int run(String... args) {
    CommandLine cl = new CommandLine(new AgentMain());
    cl.setExitCodeExceptionMapper(e -> 2);
    cl.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("tandem-agent: " + ex.getMessage());
      ex.getCommandLine().getErr().println("try: tandem-agent --help");
      return 2;
    });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    int chosen = (config != null ? 1 : 0) + (releaseUserDir != null ? 1 : 0) + (attachUserDir != null ? 1 : 0);
    if (chosen != 1) {
      System.err.println("tandem-agent: give exactly one of --config FILE, --release-userdir DIR, "
          + "--install-attach-files DIR");
      System.err.println("try: tandem-agent --help");
      return 2;
    }
    if (releaseUserDir != null) {
      return UserDirCommands.release(releaseUserDir, System.out, System.err);
    }
    if (attachUserDir != null) {
      return UserDirCommands.installAttachFiles(attachUserDir, System.out, System.err);
    }
    AgentConfig cfg;
    try {
      cfg = AgentConfigLoader.load(config);
    } catch (ConfigException e) {
      System.err.println("tandem-agent: " + e.getMessage());
      return 2;
    }
    Agent agent;
    try {
      agent = new Agent(cfg);
    } catch (RuntimeException e) {
      System.err.println("tandem-agent: " + config + ": " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop = () -> {
      agent.close();
      stopped.countDown();
    };
    // SIGTERM / SIGINT: stop the flows gracefully (and report SHUTDOWN), then kill Node-RED, all
    // in agent.close(), before the JVM exits. Any other JVM exit (SIGHUP, System.exit) runs the
    // same close() from the agent's own shutdown hook; the runtime's kill-on-exit hook waits for it.
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
          Thread t = new Thread(stop, "tandem-signal-" + name);
          t.start();
        });
      } catch (IllegalArgumentException e) {
        // the signal is not available here: the agent's shutdown hook still closes it
      }
    }
    try {
      agent.start();
    } catch (Exception e) {
      System.err.println("tandem-agent: " + e.getMessage());
      agent.close();
      return 2;
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** The version from the jar's manifest, or "development". */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = AgentMain.class.getPackage().getImplementationVersion();
      return new String[] {"tandem-agent " + (v == null ? "development build" : v)};
    }
  }
}

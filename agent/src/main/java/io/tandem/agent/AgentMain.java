package io.tandem.agent;

import io.tandem.agent.config.AgentConfig;
import io.tandem.agent.config.AgentConfigLoader;
import io.tandem.agent.config.ConfigException;
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
        "Runs the Tandem agent next to one Node-RED: starts its flows only while the coordinators'",
        "committed decision and a live lease say so, and fences it otherwise.",
        "Local API: /health, /active (200 only on the active), /status, /metrics.",
        "See docs/agent.md for the configuration reference."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped on a signal", "1:failed while running",
        "2:bad command line or configuration"})
public final class AgentMain implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "the agent's YAML configuration")
  Path config;

  public static void main(String[] args) {
    System.exit(run(args));
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
    AgentConfig cfg;
    try {
      cfg = AgentConfigLoader.load(config);
    } catch (ConfigException e) {
      System.err.println("tandem-agent: " + e.getMessage());
      return 2;
    }
    Agent agent = new Agent(cfg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.close();
      stopped.countDown();
    }, "tandem-shutdown"));
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

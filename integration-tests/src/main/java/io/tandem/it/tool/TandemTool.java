package io.tandem.it.tool;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** bin/tandem: try Tandem on one machine (demo) and measure it (bench). */
@Command(
    name = "tandem",
    mixinStandardHelpOptions = true,
    version = "tandem 0.1.0",
    description = "Run a local Tandem cluster (3 coordinators, Node-RED instances with agents) on 127.0.0.1.",
    subcommands = {DemoCommand.class, BenchCommand.class, ScaleCommand.class, io.tandem.it.chaos.ChaosCommand.class,
        CommandLine.HelpCommand.class})
public final class TandemTool implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(new CommandLine(new TandemTool()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

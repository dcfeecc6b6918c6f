package io.tandem.agent.nodered;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The command line and environment of a launched Node-RED. */
final class NodeRedCommand {
  /** The log file is moved to *.1 at a launch once it is larger than this. */
  static final long LOG_ROTATE_BYTES = 10L * 1024 * 1024;
  private static final List<String> SETPRIV_LOCATIONS = List.of("/usr/bin/setpriv", "/bin/setpriv");

  private NodeRedCommand() {}

  /**
   * setpriv --pdeathsig KILL &lt;command&gt; --settings &lt;tandem-settings.js&gt; --userDir &lt;dir&gt;
   * --port &lt;port&gt; &lt;extra args&gt;. setpriv execs the command, so the process id is Node-RED's.
   */
  static List<String> build(NodeRedSettings s, UserDirLayout layout) {
    return build(s, layout, s.command());
  }

  /** As {@link #build(NodeRedSettings, UserDirLayout)} with {@code command} instead of the configured one. */
  static List<String> build(NodeRedSettings s, UserDirLayout layout, List<String> command) {
    List<String> cmd = new ArrayList<>();
    cmd.add(setpriv());
    cmd.add("--pdeathsig");
    cmd.add("KILL");
    cmd.addAll(command.isEmpty() ? List.of("node-red") : command);
    cmd.add("--settings");
    cmd.add(layout.tandemSettingsFile().toString());
    cmd.add("--userDir");
    cmd.add(layout.userDir().toString());
    cmd.add("--port");
    cmd.add(Integer.toString(s.port()));
    cmd.addAll(s.extraArgs());
    return cmd;
  }

  static ProcessBuilder processBuilder(NodeRedSettings s, UserDirLayout layout) throws IOException {
    return processBuilder(s, layout, s.command());
  }

  static ProcessBuilder processBuilder(NodeRedSettings s, UserDirLayout layout, List<String> command)
      throws IOException {
    rotateLog(layout.logFile());
    ProcessBuilder pb = new ProcessBuilder(build(s, layout, command));
    pb.directory(layout.userDir().toFile());
    Map<String, String> env = pb.environment();
    env.putAll(s.env());
    // safe mode would start the flows of a spare at its next deploy
    env.remove("NODE_RED_ENABLE_SAFE_MODE");
    pb.redirectErrorStream(true);
    pb.redirectOutput(Redirect.appendTo(layout.logFile().toFile()));
    pb.redirectInput(Redirect.from(new java.io.File("/dev/null")));
    return pb;
  }

  private static void rotateLog(Path log) throws IOException {
    if (Files.exists(log) && Files.size(log) > LOG_ROTATE_BYTES) {
      Files.move(log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String setpriv() {
    for (String p : SETPRIV_LOCATIONS) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(":")) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "setpriv"))) {
          return Path.of(dir, "setpriv").toString();
        }
      }
    }
    throw new IllegalStateException("setpriv (util-linux) was not found; the agent needs it so that Node-RED "
        + "dies with the agent (parent-death signal). Install util-linux.");
  }
}

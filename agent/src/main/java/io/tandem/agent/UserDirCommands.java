package io.tandem.agent;

import io.tandem.agent.nodered.UserDirLayout;
import io.tandem.agent.nodered.UserDirPreparer;
import io.tandem.agent.nodered.UserDirRelease;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** The userDir commands of tandem-agent: --release-userdir and --install-attach-files. */
final class UserDirCommands {
  private UserDirCommands() {}

  /** Releases the userDir for plain Node-RED; 0 when done, 2 when it is in use or cannot be changed. */
  static int release(Path userDir, PrintStream out, PrintStream err) {
    List<String> done;
    try {
      done = UserDirRelease.release(userDir);
    } catch (IOException e) {
      err.println("tandem-agent: --release-userdir: " + e.getMessage());
      return 2;
    }
    if (done.isEmpty()) {
      out.println(userDir.toAbsolutePath().normalize() + ": nothing of Tandem's left; it is ready for plain Node-RED");
    } else {
      done.forEach(out::println);
      out.println(userDir.toAbsolutePath().normalize() + " is ready for plain Node-RED (your settings.js, "
          + "flows and credentials are unchanged)");
    }
    return 0;
  }

  /** Installs the attach-mode files and prints the settings.js lines; 0 when done, 2 on an error. */
  static int installAttachFiles(Path userDir, PrintStream out, PrintStream err) {
    UserDirLayout layout = new UserDirLayout(userDir);
    List<Path> written;
    try {
      written = UserDirPreparer.installAttachFiles(layout);
    } catch (IOException e) {
      err.println("tandem-agent: --install-attach-files: " + e.getMessage());
      return 2;
    }
    written.forEach(p -> out.println("wrote " + p));
    out.println();
    out.println("Now wrap the settings in " + layout.userSettingsFile() + " (tokenFile: the agent's nodeRed.tokenFile):");
    out.println();
    out.println("  module.exports = require(\"./tandem-attach.js\")({");
    out.println("    // ... your settings, as before ...");
    out.println("  }, { tokenFile: \"/etc/tandem/agent.token\",");
    out.println("       context: { agentUrl: \"http://127.0.0.1:7401/\" } });  // the agent's http address");
    out.println();
    out.println("and start Node-RED; docs/agent.md, \"Attach mode\", has the details (without the");
    out.println("context option, set context.enabled: false in the agent's YAML: docs/context.md).");
    return 0;
  }
}

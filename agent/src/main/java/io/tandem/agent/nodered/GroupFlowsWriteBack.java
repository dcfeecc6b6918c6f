package io.tandem.agent.nodered;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Leaving Tandem: writes the group's flows revision held on this host ({@code .tandem/current.json})
 * back into the user's own flows file and its {@code _cred} file, where plain Node-RED's
 * localfilesystem storage reads them, so that a released userDir boots the flows the group ran,
 * not the ones it had before it joined. The old files are kept with a {@code .before-release}
 * suffix.
 */
final class GroupFlowsWriteBack {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GroupFlowsWriteBack() {}

  /** What was written, one line each; empty when this host holds no revision. */
  static List<String> writeBack(UserDirLayout layout) throws IOException {
    Path current = layout.currentRevisionFile();
    List<String> done = new ArrayList<>();
    if (!Files.exists(current)) {
      return done;
    }
    JsonNode doc;
    try {
      doc = JSON.readTree(current.toFile());
    } catch (IOException e) {
      throw new IOException(current + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
          + "); export the group's flows with `tandemctl flows export GROUP > flows.json` instead, "
          + "then remove " + current + " and run --release-userdir again", e);
    }
    if (!doc.path("flows").isArray()) {
      throw new IOException(current + " holds no flows array; export the group's flows with "
          + "`tandemctl flows export GROUP > flows.json`, remove " + current + " and run again");
    }
    Path flowsFile = flowsFile(layout);
    long revision = doc.path("revision").asLong(0);
    replace(flowsFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc.get("flows")), done);
    done.add("wrote revision " + revision + "'s flows to " + flowsFile);
    JsonNode creds = doc.path("credentials");
    if (creds.isObject() && creds.size() > 0) {
      Path credFile = credentialsFile(flowsFile);
      replace(credFile, JSON.writeValueAsString(creds), done);
      done.add("wrote revision " + revision + "'s credentials to " + credFile
          + " (encrypted with this host's credentialSecret, as Node-RED reads them)");
    }
    return done;
  }

  /** The flows file the launched Node-RED used (recorded by tandem-settings.js), else flows.json. */
  static Path flowsFile(UserDirLayout layout) {
    Path info = layout.launchInfoFile();
    if (Files.exists(info)) {
      try {
        String f = JSON.readTree(info.toFile()).path("flowFile").asText("");
        if (!f.isEmpty()) {
          return Path.of(f);
        }
      } catch (IOException e) {
        // an unreadable launch info: fall back to Node-RED's default name
      }
    }
    return layout.flowsFile();
  }

  /** flows.json -> flows_cred.json, as Node-RED's localfilesystem names it. */
  static Path credentialsFile(Path flowsFile) {
    String name = flowsFile.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : ".json";
    return flowsFile.resolveSibling(base + "_cred" + ext);
  }

  private static void replace(Path file, String content, List<String> done) throws IOException {
    if (Files.exists(file)) {
      Path kept = file.resolveSibling(file.getFileName() + ".before-release");
      Files.copy(file, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
      done.add("kept the previous " + file.getFileName() + " as " + kept);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tandem-tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

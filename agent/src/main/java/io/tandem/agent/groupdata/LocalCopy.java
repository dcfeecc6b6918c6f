package io.tandem.agent.groupdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * This host's copy of the group's current flows revision, {@code <userDir>/.tandem/current.json}:
 * {"revision": N, "flows": [...], "credentials": {...}}. The agent is its only writer and writes it
 * whole (temp file, fsync, rename), so the storage plugin reads either the old or the new revision,
 * also when it reads the file itself because the agent does not answer.
 */
final class LocalCopy {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  LocalCopy(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  /** The revision held, 0 if none (the runtime then runs its own flows file). */
  synchronized long revision() throws IOException {
    JsonNode n = read();
    return n == null ? 0 : n.path("revision").asLong(0);
  }

  /** The whole document, or null if there is none. */
  synchronized JsonNode read() throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
          + "); the agent fetches the revision again from the coordinators", e);
    }
  }

  /**
   * Writes revision {@code revision} with flows and credentials given as JSON text (credentials may
   * be empty), unless the copy already holds a newer one (revisions only grow; a rollback is a new
   * revision): a fetch that raced with a deploy never replaces the deploy's revision.
   */
  synchronized void write(long revision, String flowsJson, String credentialsJson) throws IOException {
    if (revision() > revision) {
      return;
    }
    ObjectNode doc = JSON.createObjectNode().put("revision", revision);
    doc.set("flows", JSON.readTree(flowsJson));
    doc.set("credentials", credentialsJson == null || credentialsJson.isBlank()
        ? JSON.createObjectNode() : JSON.readTree(credentialsJson));
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tandem-tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(JSON.writeValueAsString(doc).getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException ignored) {
      // some file systems cannot sync a directory; the rename is still atomic
    }
  }
}

package io.tandem.agent.nodered;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's static admin token for Node-RED: read from a file only its owner can read, or
 * generated (256 random bits) into a new file created with mode 0600.
 */
public final class TokenFile {
  private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._~+/=-]{16,512}");
  private static final Set<PosixFilePermission> NOT_ALLOWED = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private TokenFile() {}

  /** Reads the token, generating the file first if it does not exist. */
  public static String loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      try {
        return create(file);
      } catch (FileAlreadyExistsException raced) {
        // someone created it meanwhile: read theirs
      }
    }
    return read(file);
  }

  /**
   * Reads an existing token file: refused if group or others may access it, or if it does not hold one
   * token of 16 to 512 characters from [A-Za-z0-9._~+/=-].
   */
  public static String read(Path file) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
    extra.addAll(perms);
    extra.retainAll(NOT_ALLOWED);
    if (!extra.isEmpty()) {
      throw new IOException("token file " + file + " is accessible by group or others (mode "
          + PosixFilePermissions.toString(perms) + "); it holds the agent's Node-RED admin token. "
          + "Run: chmod 600 " + file);
    }
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (!VALID.matcher(token).matches()) {
      throw new IOException("token file " + file + " must hold one token of 16 to 512 characters from "
          + "[A-Za-z0-9._~+/=-]; delete it to let the agent generate one");
    }
    return token;
  }

  private static String create(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
    LOG.info("Generated a new Node-RED admin token in {} (mode 0600)", file);
    return token;
  }
}

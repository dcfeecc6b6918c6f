package io.tandem.coordinator.state;

import com.google.protobuf.ByteString;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digest of a flows revision: {@code "sha256:" + hex(SHA-256(flows, 0x00, credentials))}.
 * Pure computation (the same bytes give the same digest on every replica); the 0x00 separates
 * the two parts, so moving bytes from one to the other changes the digest.
 */
public final class FlowsDigest {
  private FlowsDigest() {}

  public static String of(ByteString flows, ByteString credentials) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    for (java.nio.ByteBuffer b : flows.asReadOnlyByteBufferList()) {
      sha.update(b);
    }
    sha.update((byte) 0);
    for (java.nio.ByteBuffer b : credentials.asReadOnlyByteBufferList()) {
      sha.update(b);
    }
    return "sha256:" + HexFormat.of().formatHex(sha.digest());
  }
}

package io.tandem.coordinator.state;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.proto.state.TandemState;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The bytes of a snapshot: a header, then the protobuf of {@link TandemState}.
 *
 * <pre>
 *   0  4 bytes  magic "TNDS"
 *   4  4 bytes  format version (1)
 *   8  8 bytes  payload length
 *  16  4 bytes  CRC32C of the payload
 *  20  payload  TandemState protobuf
 * </pre>
 *
 * A truncated, half-written or corrupted snapshot is rejected with a message that says which;
 * it is never read as a smaller state.
 */
public final class SnapshotCodec {
  static final byte[] MAGIC = {'T', 'N', 'D', 'S'};
  static final int VERSION = 1;
  static final int HEADER_BYTES = 20;

  private SnapshotCodec() {}

  public static byte[] encode(TandemState state) {
    byte[] payload = state.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    b.put(MAGIC).putInt(VERSION).putLong(payload.length).putInt(crc(payload)).put(payload);
    return b.array();
  }

  /**
   * @throws IllegalArgumentException if {@code bytes} are not a complete, intact snapshot of a
   *     version this code reads
   */
  public static TandemState decode(byte[] bytes) {
    int prefix = Math.min(bytes.length, MAGIC.length);
    if (!Arrays.equals(bytes, 0, prefix, MAGIC, 0, prefix)) {
      throw new IllegalArgumentException("not a Tandem snapshot: the file does not start with \"TNDS\"");
    }
    if (bytes.length < HEADER_BYTES) {
      throw new IllegalArgumentException("snapshot is truncated: " + bytes.length
          + " bytes, shorter than its " + HEADER_BYTES + "-byte header (half-written?)");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.position(MAGIC.length);
    int version = b.getInt();
    if (version != VERSION) {
      throw new IllegalArgumentException("snapshot format version " + version
          + " is not supported (this coordinator reads version " + VERSION + ")");
    }
    long length = b.getLong();
    int expectedCrc = b.getInt();
    long actual = bytes.length - HEADER_BYTES;
    if (length != actual) {
      throw new IllegalArgumentException("snapshot is " + (actual < length ? "truncated" : "longer than declared")
          + ": header declares " + length + " payload bytes, found " + actual);
    }
    byte[] payload = Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length);
    int crc = crc(payload);
    if (crc != expectedCrc) {
      throw new IllegalArgumentException(String.format(
          "snapshot is corrupt: CRC32C of the payload is %08x, the header says %08x", crc, expectedCrc));
    }
    try {
      return TandemState.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "snapshot passed its checksum but is not a valid Tandem state: " + e.getMessage(), e);
    }
  }

  private static int crc(byte[] payload) {
    CRC32C c = new CRC32C();
    c.update(payload, 0, payload.length);
    return (int) c.getValue();
  }
}

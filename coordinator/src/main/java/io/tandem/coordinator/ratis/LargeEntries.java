package io.tandem.coordinator.ratis;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;

/**
 * Ratis limits for large log entries: a deploy of a flows document up to 16 MB (DESIGN.md,
 * "Size"). Ratis' defaults (appender buffer 4 MB, which is also the largest entry a segment
 * reader accepts) would refuse such an entry or never replicate it. Ratis checks at start-up
 * that the write buffer holds the appender buffer + 8 bytes and that the gRPC message limit is
 * larger than the appender buffer.
 */
final class LargeEntries {
  /** The largest entry: 16 MB of flows and credentials plus the command around them, with room. */
  static final SizeInBytes ENTRY_MAX = SizeInBytes.valueOf("24MB");
  static final SizeInBytes WRITE_BUFFER = SizeInBytes.valueOf(ENTRY_MAX.getSize() + SizeInBytes.ONE_MB.getSize());
  static final SizeInBytes GRPC_MESSAGE_MAX = SizeInBytes.valueOf("64MB");
  static final SizeInBytes SEGMENT_MAX = SizeInBytes.valueOf("64MB");

  private LargeEntries() {}

  static RaftProperties apply(RaftProperties p) {
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, ENTRY_MAX);
    RaftServerConfigKeys.Log.setWriteBufferSize(p, WRITE_BUFFER);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SEGMENT_MAX);
    GrpcConfigKeys.setMessageSizeMax(p, GRPC_MESSAGE_MAX);
    return p;
  }
}

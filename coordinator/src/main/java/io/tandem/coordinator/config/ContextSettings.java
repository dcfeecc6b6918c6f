package io.tandem.coordinator.config;

/**
 * Bounds of a group's replicated Node-RED context (DESIGN.md, "The group's data"). The leader
 * stamps them into every ContextWrite it proposes, so all replicas apply the same bounds, and
 * reports them to agents with the context.
 *
 * @param maxValueBytes config {@code context.maxValueBytes}: key + value bytes of one entry
 * @param maxGroupBytes config {@code context.maxGroupBytes}: the sum over a group's entries
 */
public record ContextSettings(long maxValueBytes, long maxGroupBytes) {
  public static final ContextSettings DEFAULTS = new ContextSettings(1024L * 1024, 32L * 1024 * 1024);
  /** One entry travels in one log entry, whose context ops are bounded by 16 MB. */
  public static final long MAX_VALUE_BYTES = 16L * 1024 * 1024;
  /**
   * A group's whole context is sent in one gRPC message (GetContext, 64 MB at most) and held in
   * every coordinator's memory and snapshot.
   */
  public static final long MAX_GROUP_BYTES = 48L * 1024 * 1024;
  public static final long MIN_BYTES = 1024;
}

package io.tandem.it.fault;

/**
 * What a {@link TcpProxy} currently does with traffic. Delays are set separately and combine
 * with any mode; {@link TcpProxy#heal()} returns to {@link #PASS} without delay.
 */
public enum ProxyMode {
  /** Forward everything. */
  PASS,
  /**
   * Network partition: existing connections stall in both directions (bytes are held, as TCP
   * would retransmit them, and flow again after the heal); new connections are accepted but not
   * connected to the target until the heal, so the caller hangs until its own deadline.
   */
  PARTITION,
  /**
   * As {@link #PARTITION} for existing connections, but new connections are closed at once with
   * a reset (a peer that refuses connections).
   */
  REFUSE,
  /**
   * Only one direction flows (see {@link TcpProxy#oneWay(Direction)}); the other stalls. New
   * connections are connected to the target.
   */
  ONE_WAY,
  /**
   * The connections open at the moment of the freeze stop in both directions with their sockets
   * kept open (a stuck connection); connections opened later pass. Tests that a client notices
   * a dead connection by its deadlines and redials.
   */
  FREEZE;

  /** Whether bytes may move in {@code d} on a connection that is not frozen. */
  boolean allows(Direction d, Direction oneWayAllowed) {
    return switch (this) {
      case PASS, FREEZE -> true;
      case PARTITION, REFUSE -> false;
      case ONE_WAY -> d == oneWayAllowed;
    };
  }

  /** Whether a newly accepted connection may be connected to the target now. */
  boolean connects() {
    return this != PARTITION && this != REFUSE;
  }
}

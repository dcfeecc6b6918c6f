package io.tandem.it.fault;

/** The two byte streams of a proxied TCP connection, named from the connecting side. */
public enum Direction {
  /** Bytes sent by the side that opened the connection, towards the proxy's target. */
  CLIENT_TO_SERVER,
  /** Bytes sent back by the target. */
  SERVER_TO_CLIENT;

  public Direction opposite() {
    return this == CLIENT_TO_SERVER ? SERVER_TO_CLIENT : CLIENT_TO_SERVER;
  }
}

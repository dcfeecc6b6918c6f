package io.tandem.it.fault;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The state of a {@link TcpProxy} (mode, one-way direction, delays, closed) and the waits of its
 * connections' threads on it. Every change notifies all waiters; nothing polls.
 */
final class ProxyGate {
  private ProxyMode mode = ProxyMode.PASS;
  private Direction oneWayAllowed = Direction.CLIENT_TO_SERVER;
  private final Map<Direction, Long> delayNanos = new EnumMap<>(Direction.class);
  private boolean closed;

  ProxyGate() {
    for (Direction d : Direction.values()) {
      delayNanos.put(d, 0L);
    }
  }

  synchronized ProxyMode mode() {
    return mode;
  }

  synchronized void set(ProxyMode m, Direction allowed) {
    mode = m;
    if (allowed != null) {
      oneWayAllowed = allowed;
    }
    notifyAll();
  }

  /** PASS, no delay, no frozen connection. */
  synchronized void heal(Collection<ProxiedConnection> connections) {
    mode = ProxyMode.PASS;
    delayNanos.replaceAll((d, v) -> 0L);
    connections.forEach(c -> c.frozen = false);
    notifyAll();
  }

  synchronized void freeze(Collection<ProxiedConnection> connections) {
    connections.forEach(c -> c.frozen = true);
    mode = ProxyMode.FREEZE;
    notifyAll();
  }

  synchronized void delay(long clientToServerNanos, long serverToClientNanos) {
    delayNanos.put(Direction.CLIENT_TO_SERVER, clientToServerNanos);
    delayNanos.put(Direction.SERVER_TO_CLIENT, serverToClientNanos);
    notifyAll();
  }

  /** Marks the gate closed; false if it already was. */
  synchronized boolean close() {
    if (closed) {
      return false;
    }
    closed = true;
    notifyAll();
    return true;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** Whether a connection accepted now must be refused at once. */
  synchronized boolean refusesNew() {
    return closed || mode == ProxyMode.REFUSE;
  }

  /** Wakes the waiters (a connection closed). */
  synchronized void wake() {
    notifyAll();
  }

  /** Blocks until a held connection may connect to the target; false if it must be dropped. */
  synchronized boolean awaitConnectable(ProxiedConnection c) throws InterruptedException {
    while (!closed && !c.isAborted() && !mode.connects()) {
      if (mode == ProxyMode.REFUSE) {
        return false;
      }
      wait();
    }
    return !closed && !c.isAborted();
  }

  /** Blocks until {@code d} of {@code c} may move bytes; false once it is closed. */
  synchronized boolean awaitFlow(ProxiedConnection c, Direction d) throws InterruptedException {
    while (!closed && !c.isAborted() && !flows(c, d)) {
      wait();
    }
    return !closed && !c.isAborted();
  }

  /**
   * Blocks until a chunk read at {@code readAtNanos} may be written: its delay has passed and the
   * direction flows. False once the connection is closed.
   */
  synchronized boolean awaitDelivery(ProxiedConnection c, Direction d, long readAtNanos)
      throws InterruptedException {
    while (!closed && !c.isAborted()) {
      if (!flows(c, d)) {
        wait();
        continue;
      }
      long left = readAtNanos + delayNanos.get(d) - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return false;
  }

  private boolean flows(ProxiedConnection c, Direction d) {
    return !c.frozen && mode.allows(d, oneWayAllowed);
  }
}

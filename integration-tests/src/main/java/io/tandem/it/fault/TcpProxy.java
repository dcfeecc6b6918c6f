package io.tandem.it.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on loopback that injects network faults: listens on one address, forwards every
 * connection to a target, and is switched at runtime between {@link ProxyMode modes}, per-direction
 * delays and connection resets. One instance carries one direction of one link (for example
 * "connections that coordinator c1 opens to c2"), so a one-way or asymmetric fault is a matter of
 * setting the right instances.
 *
 * <p>Two threads per direction per connection (a reader that stamps each chunk with its arrival
 * time, a writer that holds it until its delay passed and the mode lets it through), with a
 * bounded queue between them: memory per connection is bounded and a stalled direction pushes
 * back on the sender as a real network would. Waits are on the {@link ProxyGate}, which every
 * change notifies; nothing polls. {@link #close()} resets every connection and stops every thread.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);
  static final int CONNECT_TIMEOUT_MS = 2000;

  private final String name;
  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Thread acceptor;
  private final ProxyGate gate = new ProxyGate();
  private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
  private final Map<Direction, AtomicLong> bytes = new EnumMap<>(Direction.class);
  private final AtomicLong accepted = new AtomicLong();

  private TcpProxy(String name, ServerSocket server, InetSocketAddress target) {
    this.name = name;
    this.server = server;
    this.target = target;
    for (Direction d : Direction.values()) {
      bytes.put(d, new AtomicLong());
    }
    this.acceptor = new Thread(this::acceptLoop, "proxy-" + name + "-accept");
    acceptor.setDaemon(true);
  }

  /**
   * Starts a proxy listening on {@code listen} (port 0 for an ephemeral port) that forwards to
   * {@code target}. Both must be loopback addresses.
   */
  public static TcpProxy start(String name, InetSocketAddress listen, InetSocketAddress target)
      throws IOException {
    requireLoopback(listen, "listen");
    requireLoopback(target, "target");
    ServerSocket server = new ServerSocket();
    try {
      server.setReuseAddress(true);
      server.bind(listen, 64);
    } catch (IOException e) {
      server.close();
      throw new IOException("proxy " + name + ": cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    TcpProxy proxy = new TcpProxy(name, server, target);
    proxy.acceptor.start();
    log.debug("proxy {} listening on {} -> {}", name, proxy.address(), target);
    return proxy;
  }

  private static void requireLoopback(InetSocketAddress a, String what) {
    if (a.isUnresolved() || !a.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(
          what + " address " + a + " is not a loopback address: faults are injected on loopback only");
    }
  }

  public String name() {
    return name;
  }

  /** The address clients connect to. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  public InetSocketAddress target() {
    return target;
  }

  public ProxyMode mode() {
    return gate.mode();
  }

  /** Connections currently open through this proxy (held ones included). */
  public int openConnections() {
    return connections.size();
  }

  public long acceptedConnections() {
    return accepted.get();
  }

  public long bytesForwarded(Direction d) {
    return bytes.get(d).get();
  }

  /** Back to {@link ProxyMode#PASS} with no delay; held and frozen connections flow again. */
  public void heal() {
    gate.heal(connections);
    log.debug("proxy {}: healed", name);
  }

  public void partition() {
    setMode(ProxyMode.PARTITION, null);
  }

  public void refuse() {
    setMode(ProxyMode.REFUSE, null);
    for (ProxiedConnection c : connections) {
      if (!c.isConnected()) {
        c.abort(); // a connection held by an earlier partition is refused now
      }
    }
  }

  /** Only {@code allowed} flows; the opposite direction stalls. */
  public void oneWay(Direction allowed) {
    setMode(ProxyMode.ONE_WAY, allowed);
  }

  /** Stalls the connections open now (both directions, sockets kept open); new ones pass. */
  public void freeze() {
    gate.freeze(connections);
    log.debug("proxy {}: FREEZE ({} connections)", name, connections.size());
  }

  /** Adds {@code delay} to every chunk in both directions (keeps the mode). */
  public void delay(Duration delay) {
    delay(delay, delay);
  }

  public void delay(Duration clientToServer, Duration serverToClient) {
    gate.delay(clientToServer.toNanos(), serverToClient.toNanos());
    log.debug("proxy {}: DELAY {} ms / {} ms", name, clientToServer.toMillis(), serverToClient.toMillis());
  }

  /** Closes every current connection with a TCP reset on both sides; returns how many. */
  public int reset() {
    List<ProxiedConnection> now = List.copyOf(connections);
    now.forEach(ProxiedConnection::abort);
    log.debug("proxy {}: RESET {} connections", name, now.size());
    return now.size();
  }

  private void setMode(ProxyMode m, Direction allowed) {
    gate.set(m, allowed);
    log.debug("proxy {}: {}{}", name, m, allowed == null ? "" : " " + allowed + " only");
  }

  private void acceptLoop() {
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!gate.isClosed()) {
          log.warn("proxy {}: accept failed, proxy stops: {}", name, e.toString());
        }
        return;
      }
      accepted.incrementAndGet();
      if (gate.refusesNew()) {
        ProxiedConnection.resetQuietly(client);
        continue;
      }
      ProxiedConnection c = new ProxiedConnection(this, gate, client, accepted.get());
      connections.add(c);
      c.start();
    }
  }

  void forwarded(Direction d, int n) {
    bytes.get(d).addAndGet(n);
  }

  void removed(ProxiedConnection c) {
    connections.remove(c);
    gate.wake(); // wakes the threads of c that wait on the gate
  }

  /** Stops accepting, resets every connection and waits briefly for the threads to end. */
  @Override
  public void close() {
    if (!gate.close()) {
      return;
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      List.copyOf(connections).forEach(ProxiedConnection::abort);
      try {
        acceptor.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "TcpProxy[" + name + " " + address() + " -> " + target + " " + mode() + "]";
  }
}

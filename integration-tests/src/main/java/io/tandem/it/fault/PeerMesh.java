package io.tandem.it.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Puts a {@link TcpProxy} on every directed link between Raft peers on one machine, so tests can
 * partition one peer, cut a link one way, delay or reset it.
 *
 * <p>Ratis stores the peers' addresses in its replicated configuration, so every peer must be
 * given the same addresses. The trick: peers are named by host name ({@code peers[].raft:
 * "c2:7202"}), and each peer's JVM gets its own hosts file ({@code -Djdk.net.hosts.file}, read
 * by the JDK resolver that Ratis's gRPC uses, both to bind its server and to dial the others).
 * Peer number k (1-based) owns the loopback address 127.0.k.k and binds there; in peer i's file
 * every other peer j resolves to 127.0.i.j, where the proxy for "connections that i opens to j"
 * listens and forwards to 127.0.j.j. All of 127.0.0.0/8 is loopback on Linux.
 */
public final class PeerMesh implements AutoCloseable {
  private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private final List<String> ids;
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final Map<String, TcpProxy> links = new LinkedHashMap<>();
  private final Map<String, Path> hostsFiles = new LinkedHashMap<>();

  private PeerMesh(List<String> ids) {
    this.ids = List.copyOf(ids);
  }

  /**
   * Picks a free port per peer, starts the proxies of all links and writes one hosts file per
   * peer into {@code dir}. Peer ids must be valid lowercase host names (e.g. c1, c2, c3).
   */
  public static PeerMesh create(List<String> ids, Path dir) throws IOException {
    if (ids.size() < 2 || ids.size() > 250) {
      throw new IllegalArgumentException("a mesh needs 2 to 250 peers, got " + ids.size());
    }
    for (String id : ids) {
      if (!HOST_NAME.matcher(id).matches()) {
        throw new IllegalArgumentException("peer id \"" + id + "\" is not a lowercase host name");
      }
    }
    PeerMesh mesh = new PeerMesh(ids);
    try {
      for (String id : ids) {
        mesh.ports.put(id, freePort(mesh.ownAddress(id)));
      }
      for (String from : ids) {
        for (String to : ids) {
          if (!from.equals(to)) {
            InetSocketAddress listen = new InetSocketAddress(mesh.ip(from, to), mesh.ports.get(to));
            mesh.links.put(key(from, to), TcpProxy.start(from + "->" + to, listen, mesh.realAddress(to)));
          }
        }
      }
      Files.createDirectories(dir);
      for (String id : ids) {
        Path file = dir.resolve("hosts-" + id);
        Files.writeString(file, mesh.hostsText(id));
        mesh.hostsFiles.put(id, file);
      }
      return mesh;
    } catch (IOException | RuntimeException e) {
      mesh.close();
      throw e;
    }
  }

  private static String key(String from, String to) {
    return from + "->" + to;
  }

  private int index(String id) {
    int i = ids.indexOf(id);
    if (i < 0) {
      throw new IllegalArgumentException("unknown peer \"" + id + "\"; peers are " + ids);
    }
    return i + 1;
  }

  /** 127.0.i.j: as peer {@code viewer} sees peer {@code peer} (its own address if the same). */
  private InetAddress ip(String viewer, String peer) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, (byte) index(viewer), (byte) index(peer)});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private InetAddress ownAddress(String id) {
    return ip(id, id);
  }

  private static int freePort(InetAddress at) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, at)) {
      return s.getLocalPort();
    }
  }

  public List<String> ids() {
    return ids;
  }

  /** The value for the peer's {@code raft} field in every coordinator's config: {@code id:port}. */
  public String raftAddress(String id) {
    index(id); // checks the id
    return id + ":" + ports.get(id);
  }

  /** Where the peer's Raft server really listens (its own address, reached without a proxy). */
  public InetSocketAddress realAddress(String id) {
    return new InetSocketAddress(ownAddress(id), ports.get(id));
  }

  /** A loopback address owned by this peer, for its other listeners (gRPC, metrics). */
  public String ownHost(String id) {
    return ownAddress(id).getHostAddress();
  }

  public Path hostsFile(String id) {
    index(id);
    return hostsFiles.get(id);
  }

  /** JVM option that gives the peer its view of the mesh (for TANDEM_JAVA_OPTS). */
  public String javaOption(String id) {
    return "-Djdk.net.hosts.file=" + hostsFile(id);
  }

  String hostsText(String id) {
    StringBuilder text = new StringBuilder();
    text.append("# Tandem test mesh: what peer ").append(id).append(" resolves\n");
    text.append("127.0.0.1 localhost ").append(localHostName()).append('\n');
    for (String peer : ids) {
      text.append(ip(id, peer).getHostAddress()).append(' ').append(peer).append('\n');
    }
    return text.toString();
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost.localdomain";
    }
  }

  /** The proxy for the connections that {@code from} opens to {@code to}. */
  public TcpProxy link(String from, String to) {
    TcpProxy p = links.get(key(from, to));
    if (p == null) {
      throw new IllegalArgumentException("no link " + key(from, to) + "; peers are " + ids);
    }
    return p;
  }

  /** Cuts every link from and to {@code id}, both ways (connections held, as in a partition). */
  public void isolate(String id) {
    for (String other : ids) {
      if (!other.equals(id)) {
        link(id, other).partition();
        link(other, id).partition();
      }
    }
  }

  /**
   * Bytes sent by {@code from} no longer reach {@code to}, while {@code to}'s bytes still reach
   * {@code from}: requests from stall on the connections from opens, replies of from on the
   * connections that to opens.
   */
  public void cutOneWay(String from, String to) {
    link(from, to).oneWay(Direction.SERVER_TO_CLIENT);
    link(to, from).oneWay(Direction.CLIENT_TO_SERVER);
  }

  /** Adds {@code delay} to every byte between the two peers, both ways. */
  public void delay(String a, String b, Duration delay) {
    link(a, b).delay(delay);
    link(b, a).delay(delay);
  }

  /** Resets every connection of every link; returns how many. */
  public int resetAll() {
    return links.values().stream().mapToInt(TcpProxy::reset).sum();
  }

  public void heal() {
    links.values().forEach(TcpProxy::heal);
  }

  public List<TcpProxy> proxies() {
    return new ArrayList<>(links.values());
  }

  @Override
  public void close() {
    links.values().forEach(TcpProxy::close);
  }
}

package io.tandem.coordinator.server;

import io.tandem.common.config.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Checks, before anything starts, that each address this coordinator listens on can be bound, so
 * that a port in use is reported by Tandem (naming the port and its role) rather than ending the
 * process from inside Ratis (whose gRPC server calls System.exit when it cannot bind).
 */
final class PortCheck {
  private PortCheck() {}

  static void ensureFree(String nodeId, String role, HostPort at) throws StartFailure {
    if (at.port() == 0) {
      return; // ephemeral: always free
    }
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(at.host(), at.port()));
    } catch (IOException e) {
      boolean inUse = e instanceof java.net.BindException
          && String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("in use");
      throw new StartFailure(inUse
          ? String.format("could not start %s: port %s (%s) is already in use; stop the process"
              + " that listens there (ss -ltnp 'sport = :%d' shows it) or change the %s address"
              + " of %s in the config", nodeId, at, role, at.port(), role, nodeId)
          : String.format("could not start %s: cannot listen on %s (%s): %s; check that %s is an"
              + " address of this host", nodeId, at, role, e.getMessage(), at.host()), e);
    }
  }
}

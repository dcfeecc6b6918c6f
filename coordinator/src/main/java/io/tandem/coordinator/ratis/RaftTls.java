package io.tandem.coordinator.ratis;

import io.tandem.common.tls.CaTrust;
import io.tandem.common.tls.ReloadingKeyManager;
import io.tandem.common.tls.Role;
import io.tandem.common.tls.TlsSettings;
import java.util.Set;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * Ratis' gRPC TLS for the Raft port: mutual TLS for server, client and admin traffic, with this
 * coordinator's reloading certificate, trusting only {@code tandem:peer:} certificates of the CA
 * (an agent's or operator's certificate cannot join Raft traffic). Nothing with tls.insecure.
 */
final class RaftTls {
  private RaftTls() {}

  static Parameters parameters(TlsSettings tls) {
    Parameters p = new Parameters();
    if (tls.insecure()) {
      return p;
    }
    GrpcTlsConfig conf = new GrpcTlsConfig(new ReloadingKeyManager(tls.cert(), tls.key()),
        new CaTrust(tls.ca(), Set.of(Role.PEER)), true);
    GrpcConfigKeys.TLS.setConf(p, conf);
    GrpcConfigKeys.Server.setTlsConf(p, conf);
    GrpcConfigKeys.Client.setTlsConf(p, conf);
    GrpcConfigKeys.Admin.setTlsConf(p, conf);
    return p;
  }
}

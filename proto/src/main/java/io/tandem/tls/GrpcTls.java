package io.tandem.tls;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.tandem.common.tls.CaTrust;
import io.tandem.common.tls.ReloadingKeyManager;
import io.tandem.common.tls.Role;
import io.tandem.common.tls.TlsException;
import io.tandem.common.tls.TlsSettings;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * The netty SSL contexts of Tandem's gRPC channels: TLS 1.3 only, mutual (a server requires a
 * client certificate), trusting only the configured CA file. Certificate, key and CA files are
 * re-read when they change ({@link ReloadingKeyManager}, {@link CaTrust}), so new connections use
 * rotated files without a restart.
 */
public final class GrpcTls {
  public static final String PROTOCOL = "TLSv1.3";

  private GrpcTls() {}

  /**
   * A server context (AgentService and AdminService): any certificate of the CA may connect; the
   * roles are checked per call by the server's interceptor.
   *
   * @throws TlsException naming the file if one is missing, unreadable, expired or mismatched
   */
  public static SslContext server(TlsSettings tls) {
    requireFiles(tls);
    ReloadingKeyManager km = new ReloadingKeyManager(tls.cert(), tls.key());
    try {
      return GrpcSslContexts.configure(SslContextBuilder.forServer(km), SslProvider.JDK)
          .trustManager(new CaTrust(tls.ca(), Set.of()))
          .clientAuth(ClientAuth.REQUIRE)
          .protocols(PROTOCOL)
          .build();
    } catch (SSLException e) {
      throw new TlsException("cannot set up TLS with " + tls.cert() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A client context (agent, tandemctl): presents this process's certificate and accepts only a
   * coordinator ({@code tandem:peer:}) certificate of the CA whose SANs match the address dialled.
   */
  public static SslContext client(TlsSettings tls) {
    requireFiles(tls);
    ReloadingKeyManager km = new ReloadingKeyManager(tls.cert(), tls.key());
    try {
      return GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
          .keyManager(km)
          .trustManager(new CaTrust(tls.ca(), Set.of(Role.PEER)))
          .protocols(PROTOCOL)
          .build();
    } catch (SSLException e) {
      throw new TlsException("cannot set up TLS with " + tls.cert() + ": " + e.getMessage(), e);
    }
  }

  private static void requireFiles(TlsSettings tls) {
    if (tls.insecure()) {
      throw new IllegalArgumentException("tls.insecure is set: no TLS context");
    }
  }
}

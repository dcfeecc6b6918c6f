package io.tandem.coordinator.auth;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tandem.common.tls.Identity;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Checks every AgentService and AdminService call against the identity in the client's TLS
 * certificate ({@link CallPolicy}) before the service sees it: {@code UNAUTHENTICATED} without a
 * {@code tandem:} identity, {@code PERMISSION_DENIED} for a role or agent not allowed the call.
 * A refused call reaches no service, so nothing is proposed to the Raft log. Installed only with
 * TLS on ({@code tls.insecure} has no identities and no checks).
 */
public final class AuthInterceptor implements ServerInterceptor {
  /** Called with (reason, full method) for each refusal: metrics and the rate-limited log. */
  private final BiConsumer<String, String> onRefusal;
  private final RefusalLogger log;

  public AuthInterceptor(BiConsumer<String, String> onRefusal, RefusalLogger log) {
    this.onRefusal = onRefusal;
    this.log = log;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Optional<Identity> who = identity(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    if (who.isEmpty()) {
      refuse(call, Status.UNAUTHENTICATED, "unauthenticated", method,
          "no tandem: identity in the client certificate; " + method + " needs a certificate issued by tandemctl certs issue");
      return new ServerCall.Listener<>() {};
    }
    Optional<String> denied = CallPolicy.refusal(who.get(), method);
    if (denied.isPresent()) {
      refuse(call, Status.PERMISSION_DENIED, "permission_denied", method, denied.get());
      return new ServerCall.Listener<>() {};
    }
    ServerCall.Listener<Q> inner = next.startCall(call, headers);
    if (who.get().role() != io.tandem.common.tls.Role.AGENT) {
      return inner;
    }
    Identity agent = who.get();
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(inner) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        Optional<String> r = CallPolicy.checkAgentRequest(agent, method, field(message, "group"),
            field(message, "instance"));
        if (r.isPresent()) {
          refused = true;
          refuse(call, Status.PERMISSION_DENIED, "permission_denied", method, r.get());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  private void refuse(ServerCall<?, ?> call, Status status, String reason, String method, String sentence) {
    onRefusal.accept(reason, method);
    log.refused(reason, method, sentence);
    call.close(status.withDescription(sentence), new Metadata());
  }

  /** A string field of a protobuf request by name, or null if the message has none. */
  static String field(Object message, String name) {
    if (!(message instanceof Message m)) {
      return null;
    }
    FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
    if (f == null || f.getJavaType() != FieldDescriptor.JavaType.STRING || f.isRepeated()) {
      return null;
    }
    return (String) m.getField(f);
  }

  static Optional<Identity> identity(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return Optional.empty();
      }
      return Identity.of(leaf);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }
}

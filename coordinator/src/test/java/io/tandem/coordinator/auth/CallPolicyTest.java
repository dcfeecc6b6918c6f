package io.tandem.coordinator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.common.tls.Identity;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.HeartbeatRequest;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CallPolicyTest {
  private static List<String> methods(ServiceDescriptor d) {
    return d.getMethods().stream().map(MethodDescriptor::getFullMethodName).toList();
  }

  @Test
  void everyMethodOfBothServicesHasTheRightAnswerPerRole() {
    List<String> admin = methods(AdminServiceGrpc.getServiceDescriptor());
    List<String> agent = methods(AgentServiceGrpc.getServiceDescriptor());
    for (String m : admin) {
      String name = m.substring(m.indexOf('/') + 1);
      assertThat(CallPolicy.refusal(Identity.admin("ops"), m)).as(m).isEmpty();
      assertThat(CallPolicy.refusal(Identity.viewer("v"), m).isEmpty()).as(m)
          .isEqualTo(CallPolicy.VIEWER_READS.contains(name));
      assertThat(CallPolicy.refusal(Identity.agent("g", "a"), m)).as(m).isPresent();
      assertThat(CallPolicy.refusal(Identity.peer("c1"), m)).as(m).isPresent();
    }
    for (String m : agent) {
      assertThat(CallPolicy.refusal(Identity.agent("g", "a"), m)).as(m).isEmpty();
      assertThat(CallPolicy.refusal(Identity.admin("ops"), m)).as(m).isEmpty();
      assertThat(CallPolicy.refusal(Identity.viewer("v"), m)).as(m).isPresent();
      assertThat(CallPolicy.refusal(Identity.peer("c1"), m)).as(m).isPresent();
    }
    // every viewer read exists: a renamed method must not silently become unreadable
    assertThat(admin).containsAll(CallPolicy.VIEWER_READS.stream().map(n -> CallPolicy.ADMIN_SERVICE + "/" + n).toList());
  }

  @Test
  void everyAgentRequestNamesAGroupAndInstanceTheInterceptorCanRead() {
    for (MethodDescriptor<?, ?> m : AgentServiceGrpc.getServiceDescriptor().getMethods()) {
      var marshaller = (MethodDescriptor.PrototypeMarshaller<?>) m.getRequestMarshaller();
      Object prototype = marshaller.getMessagePrototype();
      assertThat(AuthInterceptor.field(prototype, "group")).as(m.getFullMethodName()).isNotNull();
      assertThat(AuthInterceptor.field(prototype, "instance")).as(m.getFullMethodName()).isNotNull();
    }
    HeartbeatRequest hb = HeartbeatRequest.newBuilder().setGroup("g").setInstance("b").build();
    assertThat(CallPolicy.checkAgentRequest(Identity.agent("g", "a"), "x/Heartbeat",
        AuthInterceptor.field(hb, "group"), AuthInterceptor.field(hb, "instance")))
        .hasValueSatisfying(s -> assertThat(s).contains("tandem:agent:g/a", "instance \"b\""));
    assertThat(CallPolicy.checkAgentRequest(Identity.agent("g", "a"), "x/Heartbeat", "g", "a")).isEmpty();
    assertThat(CallPolicy.checkAgentRequest(Identity.agent("g", "a"), "x/Heartbeat", null, null)).isPresent();
    assertThat(CallPolicy.checkAgentRequest(Identity.admin("ops"), "x/Heartbeat", "h", "z")).isEmpty();
  }

  @Test
  void refusalsAreLoggedAtMostOncePerInterval() {
    AtomicLong now = new AtomicLong();
    RefusalLogger log = new RefusalLogger(now::get, 1000);
    assertThat(log.refused("permission_denied", "m", "s")).isTrue();
    assertThat(log.refused("permission_denied", "m", "s")).isFalse();
    now.addAndGet(999);
    assertThat(log.refused("permission_denied", "m", "s")).isFalse();
    now.addAndGet(1);
    assertThat(log.refused("permission_denied", "m", "s")).isTrue();
  }
}

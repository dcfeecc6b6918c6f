package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.state.Names;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.agent.DeployRequest;
import io.tandem.proto.state.InstanceSpec;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The request validators (group names and instance ids, instance specs, DeployRequest, switchover)
 * on random strings, bytes and numbers: each either accepts the input or throws INVALID_ARGUMENT
 * with a message; never another exception. A name is accepted exactly when it has the documented form.
 */
class RequestValidatorsPropertyTest {

  /** Names near the valid form (its alphabet, edges of the length) and anything at all. */
  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> nearlyValid = Arbitraries.strings().withChars("AZaz09._-").ofMinLength(0).ofMaxLength(70);
    Arbitrary<String> mixed = Arbitraries.strings().withChars("Aa0._-/ \\\"\u00e9\u0000\n\ud83d\ude00%*").ofMaxLength(80);
    Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(200);
    return Arbitraries.oneOf(nearlyValid, mixed, any);
  }

  /** Random bytes, and JSON-ish text that is sometimes valid. */
  @Provide
  Arbitrary<ByteString> documents() {
    Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<String> jsonish = Arbitraries.strings().withChars("[]{}\":,0123 abtrunefl\\").ofMaxLength(60);
    Arbitrary<String> valid = Arbitraries.of("[]", "[{\"id\":\"n1\",\"type\":\"tab\"}]", "{}", "{\"n1\":{}}", "");
    return Arbitraries.oneOf(raw.map(ByteString::copyFrom), jsonish.map(ByteString::copyFromUtf8),
        valid.map(ByteString::copyFromUtf8));
  }

  @Provide
  Arbitrary<Long> numbers() {
    return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.of(0L, -1L, 1L, Long.MAX_VALUE, Long.MIN_VALUE,
        600_000L, 600_001L));
  }

  @Property(tries = 1000)
  void aNameIsAcceptedExactlyWhenItHasTheDocumentedForm(@ForAll("names") String name) {
    boolean accepted = acceptedOrInvalid(() -> Requests.name("group", name));
    assertThat(accepted).isEqualTo(Names.ID.matcher(name).matches());
  }

  @Property(tries = 500)
  void instanceSpecsAreAcceptedOrRefusedAsInvalid(@ForAll @Size(max = 6) List<@net.jqwik.api.From("names") String> ids,
      @ForAll("names") String host, @ForAll int priority) {
    List<InstanceSpec> specs = ids.stream()
        .map(id -> InstanceSpec.newBuilder().setId(id).setHost(host).setPriority(priority).build()).toList();
    boolean accepted = acceptedOrInvalid(() -> Requests.instances(specs));
    if (accepted) {
      assertThat(ids).allMatch(id -> Names.ID.matcher(id).matches()).doesNotHaveDuplicates();
    }
  }

  @Provide
  Arbitrary<DeployRequest> deploys() {
    Arbitrary<DeployRequest.Builder> head = Combinators.combine(names(), names(), numbers(), numbers(), names())
        .as((g, i, token, rev, id) -> DeployRequest.newBuilder().setGroup(g).setInstance(i).setToken(token)
            .setExpectedRevision(rev).setRequestId(id));
    return Combinators.combine(head, documents(), documents(), names(),
            Arbitraries.strings().all().ofMaxLength(300).list().ofMaxSize(3), names())
        .as((b, flows, creds, by, modules, digest) -> b.setFlows(flows).setCredentials(creds).setDeployedBy(by)
            .addAllModules(modules).setCredentialKeyDigest(digest).build());
  }

  @Property(tries = 1000)
  void deployRequestsAreAcceptedOrRefusedAsInvalid(@ForAll("deploys") DeployRequest req) {
    boolean accepted = acceptedOrInvalid(() -> GroupDataCalls.check(req));
    if (accepted) {
      assertThat(Names.ID.matcher(req.getGroup()).matches()).isTrue();
      assertThat(Names.ID.matcher(req.getInstance()).matches()).isTrue();
      assertThat(req.getToken()).isNotNegative();
      assertThat(req.getFlows().toStringUtf8().strip()).startsWith("[");
    }
  }

  @Property(tries = 1000)
  void switchoverRequestsAreAcceptedOrRefusedAsInvalid(@ForAll("names") String group, @ForAll("names") String to,
      @ForAll("names") String requestId, @ForAll("numbers") long timeoutMillis) {
    SwitchoverRequest req = SwitchoverRequest.newBuilder().setGroup(group).setToInstance(to)
        .setRequestId(requestId).setTimeoutMillis(timeoutMillis).build();
    boolean accepted = acceptedOrInvalid(() -> Switchovers.check(req));
    if (accepted) {
      assertThat(timeoutMillis).isBetween(0L, 600_000L);
      assertThat(Names.ID.matcher(group).matches()).isTrue();
    }
  }

  @Property(tries = 500)
  void editorValuesAndHeartbeatDetailsAreAcceptedOrRefusedAsInvalid(@ForAll("names") String key,
      @ForAll("documents") ByteString value, @ForAll("names") String detail, @ForAll("numbers") long revision) {
    acceptedOrInvalid(() -> FlowsRequests.editorValue(key, value));
    acceptedOrInvalid(() -> FlowsRequests.details("not_ready_detail", detail, List.of(detail), key));
    assertThat(acceptedOrInvalid(() -> FlowsRequests.revision("revision", revision))).isEqualTo(revision >= 0);
  }

  /** True if {@code check} accepted; false if it threw INVALID_ARGUMENT with a message; fails otherwise. */
  private static boolean acceptedOrInvalid(Runnable check) {
    try {
      check.run();
      return true;
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).as("a message that says what is wrong").isNotBlank();
      return false;
    }
  }
}

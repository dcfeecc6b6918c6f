package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** The addresses of {@code tandemctl members add}: a bad one is refused once, in plain words. */
class MemberAddressTest {
  @Test
  void aGoodAddressIsParsed() {
    assertThat(MemberChanges.parse("raft", "127.0.0.1:7204").toString()).isEqualTo("127.0.0.1:7204");
  }

  @Test
  void aBadAddressNamesWhichAddressAndWhatIsWrongWithoutSayingItTwice() {
    assertThatThrownBy(() -> MemberChanges.parse("raft", "abc"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).isEqualTo("raft address: \"abc\" is not host:port");
        });
    assertThatThrownBy(() -> MemberChanges.parse("grpc", "host:x"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
            .isEqualTo("grpc address: \"host:x\" has no numeric port"));
  }
}

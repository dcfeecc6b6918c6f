package io.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinatorEndpointsLearnTest {
  private static final String C1 = "127.0.0.1:7101";
  private static final String C2 = "127.0.0.1:7102";
  private static final String C3 = "127.0.0.1:7103";
  private static final String C4 = "127.0.0.1:7104";

  @Test
  void learnedAddressesComeAfterTheSeedsAndAReportReplacesTheLastOne() {
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of(C1, C2, C3))) {
      assertThat(e.learn(List.of(C1, C2, C4))).isTrue();
      assertThat(e.addresses()).containsExactly(C1, C2, C3, C4);
      assertThat(e.learn(List.of(C4, C2, C1))).as("same set").isFalse();
      assertThat(e.learn(List.of(C1, C2, C3))).as("c4 removed again").isTrue();
      assertThat(e.addresses()).containsExactly(C1, C2, C3);
      assertThat(e.learn(List.of())).as("an older leader reports nothing").isFalse();
      assertThat(e.learn(List.of("not-an-address", C4))).isTrue();
      assertThat(e.addresses()).containsExactly(C1, C2, C3, C4);
    }
  }

  @Test
  void aLeaderHintToALearnedAddressIsFollowedAndRotationIncludesIt() {
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of(C1, C2))) {
      Metadata t = new Metadata();
      t.put(CoordinatorEndpoints.LEADER_TRAILER, C4);
      e.onFailure(C1, Status.UNAVAILABLE.asRuntimeException(t));
      assertThat(e.target()).as("unknown hint: rotate").isEqualTo(C2);
      e.learn(List.of(C1, C2, C4));
      e.onFailure(C2, Status.UNAVAILABLE.asRuntimeException(t));
      assertThat(e.target()).as("learned hint: follow").isEqualTo(C4);
      e.onFailure(C4, Status.UNAVAILABLE.asRuntimeException());
      assertThat(e.target()).isEqualTo(C1);
    }
  }
}

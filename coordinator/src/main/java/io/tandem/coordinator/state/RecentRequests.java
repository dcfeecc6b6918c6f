package io.tandem.coordinator.state;

import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.RememberedRequest;
import io.tandem.proto.state.TandemState;
import java.util.List;
import java.util.Optional;

/** The bounded FIFO of request ids already applied, so that a retried admin write is not applied twice. */
public final class RecentRequests {
  /** Request ids remembered; the oldest is forgotten first. */
  static final int LIMIT = 1024;

  private RecentRequests() {}

  /** The result the write with this request id had, if it is among the remembered ones. */
  public static Optional<CommandResult> find(TandemState state, String requestId) {
    if (requestId.isEmpty()) {
      return Optional.empty();
    }
    // Newest first: a retry usually follows its first attempt closely.
    List<RememberedRequest> recent = state.getRecentRequestsList();
    for (int i = recent.size() - 1; i >= 0; i--) {
      if (recent.get(i).getRequestId().equals(requestId)) {
        return Optional.of(recent.get(i).getResult());
      }
    }
    return Optional.empty();
  }

  static void remember(TandemState.Builder state, String requestId, CommandResult result) {
    if (requestId.isEmpty()) {
      return;
    }
    List<RememberedRequest> recent = state.getRecentRequestsList();
    if (recent.size() >= LIMIT) {
      List<RememberedRequest> kept = List.copyOf(recent.subList(recent.size() - LIMIT + 1, recent.size()));
      state.clearRecentRequests().addAllRecentRequests(kept);
    }
    state.addRecentRequests(
        RememberedRequest.newBuilder().setRequestId(requestId).setResult(result));
  }
}

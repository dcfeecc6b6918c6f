package io.tandem.coordinator.ratis;

import java.util.Optional;

/** This server is not the (ready) leader; {@code leaderId} is empty when none is known. */
public final class NotLeader extends RuntimeException {
  private final Optional<String> leaderId;

  private final String why;

  public NotLeader(Optional<String> leaderId) {
    this(leaderId, "");
  }

  /** {@code why}: why this follower does not answer itself (e.g. it is behind), or empty. */
  public NotLeader(Optional<String> leaderId, String why) {
    super(leaderId.map(l -> "not the leader; the leader is " + l).orElse("no leader elected yet")
        + (why.isEmpty() ? "" : " (" + why + ")"), null, false, false);
    this.leaderId = leaderId;
    this.why = why;
  }

  public String why() {
    return why;
  }

  public Optional<String> leaderId() {
    return leaderId;
  }
}

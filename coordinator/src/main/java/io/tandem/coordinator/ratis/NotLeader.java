package io.tandem.coordinator.ratis;

import java.util.Optional;

/** This server is not the (ready) leader; {@code leaderId} is empty when none is known. */
public final class NotLeader extends RuntimeException {
  private final Optional<String> leaderId;

  public NotLeader(Optional<String> leaderId) {
    super(leaderId.map(l -> "not the leader; the leader is " + l).orElse("no leader elected yet"), null, false, false);
    this.leaderId = leaderId;
  }

  public Optional<String> leaderId() {
    return leaderId;
  }
}

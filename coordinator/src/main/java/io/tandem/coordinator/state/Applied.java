package io.tandem.coordinator.state;

import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import java.util.List;

/**
 * What applying one command gave.
 *
 * @param state the state after the command
 * @param result the answer to the proposer (a refusal is a result too)
 * @param transitions the history entries this command appended, all of group {@code
 *     result.getGroup()}, oldest first; empty for refusals and for retried request ids
 */
public record Applied(TandemState state, CommandResult result, List<Transition> transitions) {
  public Applied {
    transitions = List.copyOf(transitions);
  }
}

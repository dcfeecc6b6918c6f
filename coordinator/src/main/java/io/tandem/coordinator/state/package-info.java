/**
 * The pure replicated state of the coordinator: {@link io.tandem.coordinator.state.Applier}
 * turns (state, command, log index) into the next state and a result, with no clock, no I/O and
 * no randomness. Imports neither io.grpc nor org.apache.ratis (checked by an architecture test).
 */
package io.tandem.coordinator.state;

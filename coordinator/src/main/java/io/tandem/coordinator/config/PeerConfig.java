package io.tandem.coordinator.config;

import io.tandem.common.config.HostPort;

/** One coordinator: its id, its Raft (peer-to-peer) address and its gRPC (agents, CLI) address. */
public record PeerConfig(String id, HostPort raft, HostPort grpc) {}

package io.tandem.it.harness;

import java.nio.file.Path;

/** One coordinator process: its ports on 127.0.0.1, its data dir and its process. */
public final class CoordinatorNode {
  private final String id;
  private final int raftPort = Ports.free();
  private final int grpcPort = Ports.free();
  private final int metricsPort = Ports.free();
  private final Path dataDir;
  private ManagedProcess process;

  CoordinatorNode(String id, Path dir) {
    this.id = id;
    this.dataDir = dir.resolve(id + "-data");
  }

  void attach(ManagedProcess p) {
    this.process = p;
  }

  public String id() {
    return id;
  }

  public String raftAddress() {
    return "127.0.0.1:" + raftPort;
  }

  public String grpcAddress() {
    return "127.0.0.1:" + grpcPort;
  }

  public int metricsPort() {
    return metricsPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  public ManagedProcess process() {
    return process;
  }

  @Override
  public String toString() {
    return id + " (grpc " + grpcAddress() + ", " + process + ")";
  }
}

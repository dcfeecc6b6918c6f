package io.tandem.it.tool;

import io.tandem.it.harness.PlainNodeRed;
import io.tandem.it.witness.Witness;
import io.tandem.it.witness.WitnessCall;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What users have today: one Node-RED (no Tandem) under a supervisor. Each run SIGKILLs it and
 * starts it again at once (a supervisor with no restart delay: the best case) and measures until
 * its flow calls the witness again.
 */
final class Baseline implements AutoCloseable {
  private final Witness witness;
  private final PlainNodeRed nodeRed;

  Baseline(Path dir) {
    this.witness = new Witness(dir.resolve("baseline-witness.log"), false);
    this.nodeRed = new PlainNodeRed(dir.resolve("baseline"), "plain", witness.callUrl(), false);
  }

  void start() throws InterruptedException {
    nodeRed.start();
    if (witness.await(0, c -> true, 60_000).isEmpty()) {
      throw new IllegalStateException("the plain Node-RED never called the witness (see " + nodeRed.process().log() + ")");
    }
  }

  /** One crash and restart; milliseconds from the SIGKILL to the first call of the restarted runtime. */
  long run() throws InterruptedException {
    long t0 = System.nanoTime();
    nodeRed.kill();
    int mark = witness.size();
    nodeRed.start();
    Optional<WitnessCall> c = witness.await(mark, x -> true, 60_000);
    if (c.isEmpty()) {
      throw new IllegalStateException("the restarted Node-RED did not call the witness within 60 s");
    }
    Thread.sleep(200); // let it settle before the next crash
    return (c.get().nanos() - t0) / 1_000_000;
  }

  @Override
  public void close() {
    nodeRed.close();
    witness.close();
  }
}

package io.tandem.coordinator.ratis;

import io.tandem.coordinator.state.SnapshotCodec;
import io.tandem.proto.state.TandemState;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Snapshot files: {@link SnapshotCodec} bytes (its own CRC) named by term and index, written to a
 * temporary file, fsynced and renamed, with Ratis's MD5 file beside it. Failures propagate: a
 * snapshot that was not written is never reported as taken.
 */
final class SnapshotStore {
  record Loaded(TandemState state, TermIndex termIndex) {}

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

  SimpleStateMachineStorage storage() {
    return storage;
  }

  void init(RaftStorage raftStorage) throws IOException {
    storage.init(raftStorage);
  }

  void write(TandemState state, TermIndex at) throws IOException {
    File target = storage.getSnapshotFile(at.getTerm(), at.getIndex());
    Path tmp = target.toPath().resolveSibling(target.getName() + ".tmp");
    byte[] bytes = SnapshotCodec.encode(state);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(true);
    }
    Files.move(tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), at));
  }

  Optional<Loaded> loadLatest() throws IOException {
    SingleFileSnapshotInfo info = storage.loadLatestSnapshot();
    if (info == null) {
      return Optional.empty();
    }
    File file = info.getFile().getPath().toFile();
    MD5Hash md5 = info.getFile().getFileDigest();
    if (md5 != null) {
      MD5FileUtil.verifySavedMD5(file, md5);
    }
    TandemState state;
    try {
      state = SnapshotCodec.decode(Files.readAllBytes(file.toPath()));
    } catch (RuntimeException e) {
      throw new IOException("snapshot " + file + " is unreadable: " + e.getMessage(), e);
    }
    return Optional.of(new Loaded(state, SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file)));
  }
}

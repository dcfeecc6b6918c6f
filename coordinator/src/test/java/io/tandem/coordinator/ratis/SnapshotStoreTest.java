package io.tandem.coordinator.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.proto.state.Group;
import io.tandem.proto.state.TandemState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {
  @TempDir Path dir;

  private static final TandemState STATE = TandemState.newBuilder()
      .putGroups("g", Group.newBuilder().setName("g").setActive("a").setToken(7).build())
      .setLastAppliedIndex(9)
      .build();

  private RaftStorage storage;

  @AfterEach
  void closeStorage() throws IOException {
    if (storage != null) {
      storage.close();
      storage = null;
    }
  }

  /** Opens the directory as a restarted server would (closing the previous opening). */
  private SnapshotStore open() throws IOException {
    closeStorage();
    storage = RaftStorage.newBuilder()
        .setDirectory(dir.toFile())
        .setOption(RaftStorage.StartupOption.RECOVER)
        .setStorageFreeSpaceMin(SizeInBytes.valueOf(0))
        .build();
    storage.initialize();
    SnapshotStore store = new SnapshotStore();
    store.init(storage);
    return store;
  }

  private Path snapshotFile() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().equals("snapshot.2_9")).findFirst().orElseThrow();
    }
  }

  @Test
  void aWrittenSnapshotLoadsBackWithItsTermAndIndex() throws Exception {
    open().write(STATE, TermIndex.valueOf(2, 9));
    SnapshotStore.Loaded loaded = open().loadLatest().orElseThrow();
    assertThat(loaded.state()).isEqualTo(STATE);
    assertThat(loaded.termIndex()).isEqualTo(TermIndex.valueOf(2, 9));
  }

  @Test
  void anEmptyDirectoryHasNoSnapshot() throws Exception {
    assertThat(open().loadLatest()).isEmpty();
  }

  @Test
  void aCorruptedSnapshotIsRefusedNotLoaded() throws Exception {
    open().write(STATE, TermIndex.valueOf(2, 9));
    try (RandomAccessFile f = new RandomAccessFile(snapshotFile().toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0xFF);
    }
    assertThatThrownBy(() -> open().loadLatest()).isInstanceOf(IOException.class);
  }
}

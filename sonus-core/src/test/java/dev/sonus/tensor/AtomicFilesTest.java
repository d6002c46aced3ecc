package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aReplacedFileHoldsTheNewContentAndNoTemporaryFileIsLeft() throws Exception {
    Path target = dir.resolve("metrics.json");
    AtomicFiles.writeString(target, "{\"a\": 1}\n");
    AtomicFiles.writeString(target, "{\"a\": 2}\n");
    assertEquals("{\"a\": 2}\n", Files.readString(target));
    assertEquals(List.of("metrics.json"), names());
  }

  @Test
  void aFailingWriterLeavesThePreviousContentAndNoTemporaryFile() throws Exception {
    Path target = dir.resolve("hparams.yaml");
    AtomicFiles.writeString(target, "seed: 1\n");
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () ->
                AtomicFiles.write(
                    target,
                    out -> {
                      out.write("seed: 2\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                      throw new IOException("disk full");
                    }));
    assertTrue(e.getMessage().contains("hparams.yaml"), e.getMessage());
    assertEquals("seed: 1\n", Files.readString(target));
    assertEquals(List.of("hparams.yaml"), names());
  }

  @Test
  void syncingAFolderAfterARenameSucceeds() throws Exception {
    Path a = Files.writeString(dir.resolve("a.tmp"), "x");
    Files.move(a, dir.resolve("a"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    AtomicFiles.syncDirectory(dir);
    assertEquals(List.of("a"), names());
  }

  @Test
  void syncingAMissingFolderNamesIt() {
    Path missing = dir.resolve("no-such-folder");
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.syncDirectory(missing));
    assertTrue(e.getMessage().contains("no-such-folder"), e.getMessage());
  }
}

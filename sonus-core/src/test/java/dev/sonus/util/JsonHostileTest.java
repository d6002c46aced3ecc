package dev.sonus.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.testing.Budget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile JSON: deep nesting, numbers beyond a double, too many values, oversized files. */
class JsonHostileTest {
  @TempDir Path tmp;

  @Test
  void deepNestingIsRefusedEvenOnASmallStack() throws InterruptedException {
    String deep = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    // A 256 KiB stack, as small as a worker thread may get: the default depth (512) must fit it.
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                Json.parse("[".repeat(512) + "]".repeat(512));
                Json.parse(deep);
              } catch (Throwable e) {
                thrown.set(e);
              }
            },
            "small-stack",
            256 << 10);
    t.start();
    t.join();
    assertTrue(thrown.get() instanceof IllegalArgumentException, String.valueOf(thrown.get()));
    assertTrue(
        thrown.get().getMessage().contains("nested deeper than 512 levels (the limit maxDepth)"),
        thrown.get().getMessage());
  }

  @Test
  void numbersBeyondTheRangeOfADoubleAreRefused() {
    for (String text : List.of("1e400", "[-1e999999999]", "1" + "0".repeat(400))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Json.parse(text), text);
      assertTrue(e.getMessage().contains("beyond the range of a double"), e.getMessage());
    }
    assertEquals(1e308, Json.parse("1e308"));
    assertEquals(0.0, Json.parse("1e-400"));
  }

  @Test
  void moreValuesThanTheLimitAreRefused() {
    String many = "[" + "0,".repeat(999) + "0]";
    assertEquals(1000, ((List<?>) Json.parse(many)).size());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Json.parse(many, Json.Limits.defaults().withMaxValues(500)));
    assertTrue(e.getMessage().contains("more than 500 values"), e.getMessage());
  }

  @Test
  void aHugeNumberLiteralParsesInLinearTime() {
    String digits = "1." + "7".repeat(5_000_000);
    Budget.assertWithin(
        "a 5-million-digit number",
        Budget.FUZZ,
        () -> {
          assertEquals(1.7777777777777777, (Double) Json.parse(digits), 1e-15);
          return null;
        });
  }

  @Test
  void jsonFileRefusesAFileLargerThanItsLimitBeforeReadingIt() throws IOException {
    Path f = Files.writeString(tmp.resolve("meta.json"), "{\"a\": \"" + "x".repeat(5000) + "\"}");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JsonFile.read(f, 1000));
    assertTrue(
        e.getMessage().startsWith(f + ": ") && e.getMessage().contains("JsonFile.read(path, "),
        e.getMessage());
    assertEquals(1, JsonFile.read(f).map().size());
  }
}

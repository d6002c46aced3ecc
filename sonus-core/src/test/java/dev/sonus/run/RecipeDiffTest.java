package dev.sonus.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeDiffTest {
  private static final String STORED =
      String.join(
          "\n",
          "seed: 3",
          "batch_size: 4",
          "optimizer: !name:train.Optimizers.adam",
          "  lr: 0.05",
          "model: !new:models.CRDNN",
          "  channels: [32, 64]",
          "");

  @Test
  void theSameRecipeHasNoDifferences() {
    assertEquals(List.of(), RecipeDiff.between(STORED, STORED));
  }

  @Test
  void nestedValuesListElementsTagsAndNewKeysAreComparedByPath() {
    String now =
        String.join(
            "\n",
            "seed: 3",
            "batch_size: 4",
            "optimizer: !name:train.Optimizers.sgd",
            "  lr: 0.1",
            "model: !new:models.CRDNN",
            "  channels: [32, 128]",
            "threads: 2",
            "");
    assertEquals(
        List.of(
            "optimizer: !name:train.Optimizers.adam -> !name:train.Optimizers.sgd",
            "optimizer.lr: 0.05 -> 0.1",
            "model.channels[1]: 64 -> 128",
            "threads: (absent) -> 2"),
        RecipeDiff.between(STORED, now).stream().map(RecipeDiff.Change::toString).toList());
  }

  @Test
  void aChangeBelongsToItsTopLevelKey() {
    assertEquals("model", new RecipeDiff.Change("model.channels[1]", "64", "128").topKey());
    assertEquals("layers", new RecipeDiff.Change("layers[0].size", "1", "2").topKey());
    assertEquals("seed", new RecipeDiff.Change("seed", "1", "2").topKey());
  }
}

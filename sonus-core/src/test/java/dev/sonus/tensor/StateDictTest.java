package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.features.InputNormalization;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Loading state dicts: shapes must agree, except the empty buffers that training fills. */
class StateDictTest {
  @Test
  void globalNormalisationStatisticsLoadIntoAFreshModelWhoseBuffersAreStillEmpty() {
    InputNormalization norm = new InputNormalization(InputNormalization.Options.defaults());
    try (PointerScope scope = new PointerScope()) {
      Map<String, Tensor> saved = new LinkedHashMap<>();
      saved.put("glob_mean", Tensors.fromFloats(new float[] {1, 2, 3}, 3));
      saved.put("glob_std", Tensors.fromFloats(new float[] {4, 5, 6}, 3));
      saved.put("count", Tensors.fromLongs(new long[] {7}, new long[0]));
      StateDict.load(norm, saved, true, "a trained run");
      Map<String, Tensor> now = StateDict.of(norm);
      assertArrayEquals(new float[] {1, 2, 3}, Tensors.toFloats(now.get("glob_mean")));
      assertArrayEquals(new float[] {4, 5, 6}, Tensors.toFloats(now.get("glob_std")));
      // a non-empty tensor of another shape is still refused, naming the key
      saved.put("glob_mean", Tensors.fromFloats(new float[] {1, 2}, 2));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> StateDict.load(norm, saved, true, "x"));
      assertTrue(e.getMessage().contains("'glob_mean' has shape [2]"), e.getMessage());
    }
  }
}

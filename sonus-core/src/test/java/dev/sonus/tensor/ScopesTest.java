package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.nn.Linear;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class ScopesTest {

  @Test
  void forwardResultIsFreedWithTheCallersScope() {
    Linear lin = new Linear(3, 2, true);
    try (Tensor x = Tensors.fromFloats(new float[] {1, 2, 3}, 1, 3)) {
      Tensor y;
      try (PointerScope step = new PointerScope()) {
        y = lin.forward(x);
        assertFalse(y.isNull());
        assertEquals(2, y.size(1));
      }
      assertTrue(y.isNull(), "the step's scope must free a forward result");
    }
  }

  @Test
  void forwardResultWithoutScopeBelongsToTheCaller() {
    Linear lin = new Linear(3, 2, true);
    try (Tensor x = Tensors.fromFloats(new float[] {1, 2, 3}, 1, 3);
        Tensor y = lin.forward(x)) {
      assertEquals(1, y.referenceCount(), "the caller holds the only reference");
      assertEquals(2, y.size(1));
    }
  }

  @Test
  void temporariesOfTheBodyAreFreed() {
    Tensor[] temporary = new Tensor[1];
    try (PointerScope step = new PointerScope()) {
      Tensor out =
          Scopes.freeingTemporaries(
              () -> {
                temporary[0] = torch.ones(4);
                return temporary[0].mul(temporary[0]);
              });
      assertTrue(temporary[0].isNull(), "a temporary of the body outlived its scope");
      assertFalse(out.isNull());
    }
  }

  @Test
  void toCallerScopeHandsTheValueOneScopeOut() {
    Tensor kept;
    try (PointerScope caller = new PointerScope()) {
      try (PointerScope own = new PointerScope()) {
        kept = Scopes.toCallerScope(torch.ones(2));
      }
      assertFalse(kept.isNull(), "the value must survive the method's own scope");
    }
    assertTrue(kept.isNull(), "the caller's scope must free it");
  }

  @Test
  void toCallerScopeWithoutOuterScopeLeavesItToTheCaller() {
    Tensor kept;
    try (PointerScope own = new PointerScope()) {
      kept = Scopes.toCallerScope(torch.ones(2));
    }
    assertFalse(kept.isNull());
    kept.close();
    assertTrue(kept.isNull());
  }

  @Test
  void toCallerScopeOutsideAnyScopeIsAMisuse() {
    Tensor t = torch.ones(1);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Scopes.toCallerScope(t));
    assertTrue(e.getMessage().contains("outside any PointerScope"), e.getMessage());
    t.close();
  }

  @Test
  void nothingLeaksOverManyForwardSteps() {
    Linear lin = new Linear(8, 8, true);
    try (Tensor x = torch.ones(4, 8)) {
      step(lin, x);
      long before = Pointer.totalCount();
      for (int i = 0; i < 100; i++) {
        step(lin, x);
      }
      assertEquals(before, Pointer.totalCount(), "native objects grew over 100 steps");
    }
  }

  private static void step(Linear lin, Tensor x) {
    try (PointerScope step = new PointerScope()) {
      lin.forward(lin.forward(x)).sum().item_double();
    }
  }
}

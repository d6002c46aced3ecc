package dev.sonus.repro;

import dev.sonus.tensor.Threads;
import org.bytedeco.pytorch.global.torch;

/**
 * Makes a run repeatable: seeds libtorch's generator and, when asked, turns on libtorch's
 * deterministic algorithms and fixes the thread counts, so that the same seed on the same machine
 * gives the same bits.
 */
public final class Determinism {
  private Determinism() {}

  /**
   * Applies the settings for a run.
   *
   * @param seed seed of libtorch's default generator (parameter initialisation, dropout)
   * @param deterministic use only deterministic kernels (errors on an operation that has none) and
   *     fix threads
   * @param threads intra-op and BLAS threads when deterministic (reductions split across a
   *     different number of threads sum in a different order)
   */
  public static void apply(long seed, boolean deterministic, int threads) {
    torch.manual_seed(seed);
    if (deterministic) {
      torch.globalContext().setDeterministicAlgorithms(true, false);
      torch.globalContext().setDeterministicFillUninitializedMemory(true);
      Threads.setIntraOp(Math.max(1, threads));
    }
  }

  /** Whether libtorch's deterministic algorithms are on. */
  public static boolean deterministicAlgorithms() {
    return torch.globalContext().deterministicAlgorithms();
  }
}

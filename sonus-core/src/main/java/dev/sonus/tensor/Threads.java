package dev.sonus.tensor;

import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.global.torch;

/**
 * Thread settings of the native libraries: libtorch's intra-op threads (OpenMP) and OpenBLAS's own
 * pool.
 *
 * <p>Both default to the number of cores. OpenBLAS's pthread workers keep spinning after each
 * matrix product, so when Java threads already run work side by side ({@link BatchParallel}, data
 * loaders), a second BLAS thread only steals time from them; {@link BatchParallel} therefore sets
 * BLAS to one thread.
 */
public final class Threads {
  private Threads() {}

  /**
   * Sets libtorch's intra-op threads for the calling thread (and new ones) and OpenBLAS's pool
   * size.
   */
  public static void setIntraOp(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads is " + threads + "; it must be at least 1");
    }
    torch.set_num_threads(threads);
    setBlas(threads);
  }

  /** Sets the size of OpenBLAS's thread pool (process-wide). */
  public static void setBlas(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("BLAS threads is " + threads + "; it must be at least 1");
    }
    openblas_full.openblas_set_num_threads(threads);
  }

  /** OpenBLAS's thread pool size. */
  public static int blas() {
    return openblas_full.openblas_get_num_threads();
  }

  /**
   * The kernel family OpenBLAS chose for this CPU at load time ({@code openblas_get_corename}, e.g.
   * {@code SkylakeX}, {@code Haswell}, {@code Zen}); {@code OPENBLAS_CORETYPE} overrides the
   * choice. Matrix products of different families round differently.
   */
  public static String blasCore() {
    org.bytedeco.javacpp.BytePointer name = openblas_full.openblas_get_corename();
    return name == null || name.isNull() ? "unknown" : name.getString().trim();
  }

  /** libtorch's intra-op threads as seen from the calling thread. */
  public static int intraOp() {
    return torch.get_num_threads();
  }
}

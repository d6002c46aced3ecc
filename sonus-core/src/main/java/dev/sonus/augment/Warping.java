package dev.sonus.augment;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Time ({@code dim: 1}) or frequency ({@code dim: 2}) warping, SpeechBrain's {@code Warping}: a
 * centre {@code c} is drawn at least {@code warp_window} from either end and moved to {@code w}
 * within {@code warp_window} of it; the part before {@code c} is stretched to {@code w} frames and
 * the rest squeezed into what remains, by {@code warp_mode} interpolation ({@code bicubic} or
 * {@code bilinear}, corners aligned). The length is unchanged. Each item draws its own centre
 * within its own valid frames (SpeechBrain draws one per batch over the padded length); too short
 * an item is left as it is.
 */
public final class Warping implements FeatureAugmentation {
  private final int warpWindow;
  private final String warpMode;
  private final int dim;

  /**
   * Creates it.
   *
   * @param warpWindow largest shift of the centre, frames (default 5)
   * @param warpMode bicubic (default) | bilinear
   * @param dim 1 warps time, 2 frequency
   */
  public Warping(int warpWindow, String warpMode, int dim) {
    if (warpWindow < 1) {
      throw new IllegalArgumentException(
          "warp_window is " + warpWindow + "; it must be at least 1");
    }
    String mode = warpMode == null ? "bicubic" : warpMode.toLowerCase(Locale.ROOT);
    if (!mode.equals("bicubic") && !mode.equals("bilinear")) {
      throw new IllegalArgumentException(
          "warp_mode is '" + warpMode + "'; expected bicubic or bilinear");
    }
    if (dim != 1 && dim != 2) {
      throw new IllegalArgumentException("dim is " + dim + "; expected 1 (time) or 2 (frequency)");
    }
    this.warpWindow = warpWindow;
    this.warpMode = mode;
    this.dim = dim;
  }

  /** SpeechBrain's defaults: window 5, bicubic, time. */
  public Warping() {
    this(5, "bicubic", 1);
  }

  @Override
  public Tensor apply(Tensor feats, long[] lengths, List<SplittableRandom> random) {
    int b = (int) feats.size(0);
    TensorVector rows = new TensorVector();
    for (int i = 0; i < b; i++) {
      Tensor item = feats.select(0, i); // [T, F]
      Tensor plane = dim == 2 ? item.transpose(0, 1) : item; // warp along axis 0
      long valid = dim == 2 ? plane.size(0) : Math.min(plane.size(0), Math.max(1, lengths[i]));
      long other = plane.size(1);
      if (valid - warpWindow <= warpWindow) {
        rows.push_back(item);
        continue;
      }
      SplittableRandom r = random.get(i);
      long c = r.nextLong(warpWindow, valid - warpWindow);
      long w = r.nextLong(c - warpWindow, c + warpWindow) + 1;
      Tensor left = interpolate(plane.narrow(0, 0, c), w, other);
      Tensor right = interpolate(plane.narrow(0, c, valid - c), valid - w, other);
      TensorVector parts = new TensorVector(left, right);
      if (valid < plane.size(0)) {
        parts.push_back(plane.narrow(0, valid, plane.size(0) - valid));
      }
      Tensor warped = torch.cat(parts, 0);
      rows.push_back(dim == 2 ? warped.transpose(0, 1) : warped);
    }
    return torch.stack(rows, 0);
  }

  private Tensor interpolate(Tensor part, long rows, long cols) {
    Tensor x = part.unsqueeze(0).unsqueeze(0);
    Tensor y =
        warpMode.equals("bicubic")
            ? torch.upsample_bicubic2d(x, new long[] {rows, cols}, true)
            : torch.upsample_bilinear2d(x, new long[] {rows, cols}, true);
    return y.squeeze(0).squeeze(0);
  }

  @Override
  public String toString() {
    return "Warping(window=" + warpWindow + ", " + warpMode + ", dim=" + dim + ")";
  }
}

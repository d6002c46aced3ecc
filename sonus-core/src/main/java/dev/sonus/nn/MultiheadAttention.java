package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Multi-head scaled dot-product attention, as {@code speechbrain.nnet.attention.MultiheadAttention}
 * (which wraps {@code torch.nn.MultiheadAttention}): parameters {@code att.in_proj_weight} {@code
 * [3d, d]}, {@code att.in_proj_bias} {@code [3d]}, {@code att.out_proj.weight}, {@code
 * att.out_proj.bias}. The heads run on libtorch's fused {@code scaled_dot_product_attention}, the
 * masks merged into one additive mask. Batch-first shapes {@code [B, L, d]}.
 */
public final class MultiheadAttention extends Module implements AttentionLayer {
  private final long dModel;
  private final long heads;
  private final double dropout;
  private final Module att;
  private final Tensor inProjWeight;
  private final Tensor inProjBias;
  private final LinearImpl outProj;

  /**
   * Attention with {@code nhead} heads over {@code dModel} features ({@code dModel} a multiple of
   * {@code nhead}), attention dropout {@code dropout}. Initialised as torch's: Xavier-uniform input
   * projection, zero biases.
   */
  public MultiheadAttention(long nhead, long dModel, double dropout) {
    super("MultiheadAttention");
    this.heads = Checks.positive(nhead, "nhead");
    this.dModel = Checks.positive(dModel, "d_model");
    if (dModel % nhead != 0) {
      throw new IllegalArgumentException(
          "d_model is "
              + dModel
              + " but nhead is "
              + nhead
              + "; d_model must be a multiple of nhead");
    }
    this.dropout = Checks.dropRate(dropout, "dropout");
    this.att = register_module("att", new Module("MultiheadAttention"));
    Tensor w = torch.empty(3 * dModel, dModel);
    torch.xavier_uniform_(w);
    this.inProjWeight = new Tensor(att.register_parameter("in_proj_weight", w, true));
    this.inProjBias =
        new Tensor(att.register_parameter("in_proj_bias", torch.zeros(3 * dModel), true));
    this.outProj =
        att.register_module("out_proj", new LinearImpl(new LinearOptions(dModel, dModel)));
    try (var noGrad = new org.bytedeco.pytorch.NoGradGuard()) {
      outProj.bias().zero_();
    }
  }

  @Override
  public Tensor attend(
      Tensor query,
      Tensor key,
      Tensor value,
      Tensor attnMask,
      Tensor keyPaddingMask,
      Tensor posEmbs) {
    return Scopes.freeingTemporaries(() -> apply(query, key, value, attnMask, keyPaddingMask));
  }

  Tensor apply(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask) {
    Checks.rank(query, this, "[batch, time, d_model]", 3);
    Checks.lastDim(query, dModel, this);
    long b = query.size(0);
    long lq = query.size(1);
    long lk = key.size(1);
    long hd = dModel / heads;
    Tensor q;
    Tensor k;
    Tensor v;
    if (AttentionMasks.selfAttention(query, key, value)) {
      TensorVector qkv =
          torch.linear(query, inProjWeight, new TensorOptional(inProjBias)).chunk(3, -1);
      q = qkv.get(0);
      k = qkv.get(1);
      v = qkv.get(2);
    } else {
      TensorVector w = inProjWeight.chunk(3, 0);
      TensorVector bias = inProjBias.chunk(3, 0);
      q = torch.linear(query, w.get(0), new TensorOptional(bias.get(0)));
      k = torch.linear(key, w.get(1), new TensorOptional(bias.get(1)));
      v = torch.linear(value, w.get(2), new TensorOptional(bias.get(2)));
    }
    q = q.view(b, lq, heads, hd).transpose(1, 2);
    k = k.view(b, lk, heads, hd).transpose(1, 2);
    v = v.view(b, lk, heads, hd).transpose(1, 2);
    Tensor mask = AttentionMasks.additive(attnMask, keyPaddingMask, b, lq, lk, query);
    Tensor out =
        torch.scaled_dot_product_attention(
            q,
            k,
            v,
            mask == null ? new TensorOptional() : new TensorOptional(mask),
            is_training() ? dropout : 0.0,
            false,
            new DoubleOptional(),
            false);
    return outProj.forward(out.transpose(1, 2).reshape(b, lq, dModel));
  }

  /** Features per position. */
  public long dModel() {
    return dModel;
  }

  @Override
  public String toString() {
    return "MultiheadAttention(d_model="
        + dModel
        + ", nhead="
        + heads
        + ", dropout="
        + dropout
        + ")";
  }

  static Scalar minusInfinity() {
    return new Scalar(Double.NEGATIVE_INFINITY);
  }
}

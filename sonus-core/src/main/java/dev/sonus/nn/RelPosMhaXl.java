package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Multi-head attention with Transformer-XL relative positions ({@code
 * speechbrain.nnet.attention.RelPosMHAXL} v1.0.0, as its Conformer and Branchformer encoders use
 * it): content and position scores with the learnt biases {@code pos_bias_u} and {@code
 * pos_bias_v}, the relative-shift trick, both scaled by {@code 1/sqrt(d)} (SpeechBrain scales by
 * the model width, not the head width). Parameters {@code in_proj_weight} {@code [3d, d]} (no
 * bias), {@code pos_bias_u}, {@code pos_bias_v} {@code [d/h, h]}, {@code out_proj.weight}, {@code
 * out_proj.bias}, {@code linear_pos.weight}. Self-attention over {@code [B, L, d]} with the {@code
 * [1, 2L - 1, d]} encodings of {@link RelPosEncXl}.
 */
public final class RelPosMhaXl extends Module implements AttentionLayer {
  private final long embedDim;
  private final long heads;
  private final double dropout;
  private final boolean maskPosFuture;
  private final double scale;
  private final Tensor inProjWeight;
  private final Tensor posBiasU;
  private final Tensor posBiasV;
  private final LinearImpl outProj;
  private final LinearImpl linearPos;

  /**
   * Attention with {@code numHeads} heads over {@code embedDim} features; {@code maskPosFuture}
   * zeroes the position scores of future frames (SpeechBrain's {@code mask_pos_future}, set for a
   * causal encoder).
   */
  public RelPosMhaXl(long embedDim, long numHeads, double dropout, boolean maskPosFuture) {
    super("RelPosMHAXL");
    this.embedDim = Checks.positive(embedDim, "embed_dim");
    this.heads = Checks.positive(numHeads, "num_heads");
    if (embedDim % numHeads != 0) {
      throw new IllegalArgumentException(
          "embed_dim is "
              + embedDim
              + " but num_heads is "
              + numHeads
              + "; embed_dim must be a multiple of num_heads");
    }
    this.dropout = Checks.dropRate(dropout, "dropout");
    this.maskPosFuture = maskPosFuture;
    this.scale = 1 / Math.sqrt((double) embedDim);
    long headDim = embedDim / numHeads;
    Tensor w = torch.empty(3 * embedDim, embedDim);
    torch.xavier_uniform_(w);
    this.inProjWeight = new Tensor(register_parameter("in_proj_weight", w, true));
    this.outProj =
        register_module("out_proj", new LinearImpl(new LinearOptions(embedDim, embedDim)));
    LinearOptions pos = new LinearOptions(embedDim, embedDim);
    pos.bias().put(false);
    this.linearPos = register_module("linear_pos", new LinearImpl(pos));
    Tensor u = torch.empty(headDim, numHeads);
    torch.xavier_uniform_(u);
    this.posBiasU = new Tensor(register_parameter("pos_bias_u", u, true));
    Tensor v = torch.empty(headDim, numHeads);
    torch.xavier_uniform_(v);
    this.posBiasV = new Tensor(register_parameter("pos_bias_v", v, true));
  }

  @Override
  public Tensor attend(
      Tensor query,
      Tensor key,
      Tensor value,
      Tensor attnMask,
      Tensor keyPaddingMask,
      Tensor posEmbs) {
    if (posEmbs == null) {
      throw new IllegalArgumentException(
          this + " needs relative positional embeddings (RelPosEncXL); none were given");
    }
    return Scopes.freeingTemporaries(
        () -> apply(query, key, value, attnMask, keyPaddingMask, posEmbs));
  }

  Tensor apply(
      Tensor query,
      Tensor key,
      Tensor value,
      Tensor attnMask,
      Tensor keyPaddingMask,
      Tensor posEmbs) {
    Checks.rank(query, this, "[batch, time, embed_dim]", 3);
    Checks.lastDim(query, embedDim, this);
    long b = query.size(0);
    long qlen = query.size(1);
    long klen = key.size(1);
    long hd = embedDim / heads;
    Tensor q;
    Tensor k;
    Tensor v;
    if (AttentionMasks.selfAttention(query, key, value)) {
      // SpeechBrain projects once and splits each head's 3·hd features into q, k, v
      TensorVector qkv = torch.linear(query, inProjWeight).view(b, -1, heads, hd * 3).chunk(3, -1);
      q = qkv.get(0);
      k = qkv.get(1);
      v = qkv.get(2);
    } else {
      TensorVector w = inProjWeight.chunk(3, 0);
      q = torch.linear(query, w.get(0)).view(b, -1, heads, hd);
      k = torch.linear(key, w.get(1)).view(b, -1, heads, hd);
      v = torch.linear(value, w.get(2)).view(b, -1, heads, hd);
    }
    Tensor pk = linearPos.forward(posEmbs).view(1, -1, heads, hd);
    Tensor qu = q.add(posBiasU.view(1, 1, heads, hd)).transpose(1, 2);
    Tensor qv = q.add(posBiasV.view(1, 1, heads, hd)).transpose(1, 2);
    Scalar s = new Scalar(scale);
    Tensor ac = torch.matmul(qu.mul(s), k.permute(0, 2, 3, 1));
    Tensor bd = relShift(torch.matmul(qv.mul(s), pk.permute(0, 2, 3, 1)));
    Tensor score = ac.add(bd);
    Scalar minusInf = MultiheadAttention.minusInfinity();
    Tensor boolMask = null;
    if (attnMask != null) {
      if (Tensors.dtype(attnMask) == torch.ScalarType.Bool) {
        boolMask = attnMask.view(1, 1, qlen, klen);
        score = score.masked_fill(boolMask, minusInf);
      } else {
        score = score.add(attnMask.view(1, 1, qlen, klen));
      }
    }
    Tensor padMask = keyPaddingMask == null ? null : keyPaddingMask.view(b, 1, 1, klen);
    if (padMask != null) {
      score = score.masked_fill(padMask, minusInf);
    }
    Tensor attn = torch.softmax(score, -1, new ScalarTypeOptional(torch.ScalarType.Float));
    attn = torch.dropout(attn, dropout, is_training());
    Scalar zero = new Scalar(0.0);
    if (boolMask != null) {
      attn = attn.masked_fill(boolMask, zero);
    }
    if (padMask != null) {
      attn = attn.masked_fill(padMask, zero);
    }
    Tensor x = torch.matmul(attn, v.transpose(1, 2));
    return outProj.forward(x.transpose(1, 2).contiguous().view(b, -1, embedDim));
  }

  /** Transformer-XL's shift: {@code [b, h, L, 2L - 1]} position scores to {@code [b, h, L, L]}. */
  private Tensor relShift(Tensor x) {
    long b = x.size(0);
    long h = x.size(1);
    long qlen = x.size(2);
    long posLen = x.size(3);
    Tensor padded =
        torch.pad(x, new long[] {1, 0}, "constant", new org.bytedeco.pytorch.DoubleOptional(0.0));
    Tensor shifted = padded.view(b, h, -1, qlen).narrow(2, 1, posLen).reshape(b, h, qlen, posLen);
    if (maskPosFuture) {
      Tensor keep = torch.ones(qlen, posLen).tril(posLen - qlen);
      shifted = shifted.mul(keep.unsqueeze(0).unsqueeze(0));
    }
    return shifted.narrow(3, 0, posLen / 2 + 1);
  }

  @Override
  public String toString() {
    return "RelPosMHAXL(d=" + embedDim + ", heads=" + heads + ", dropout=" + dropout + ")";
  }
}

package dev.sonus.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes pickle opcodes one by one, as Python's pickle module does for protocols 2 and 4, so that
 * tests can build {@code torch.save} checkpoints (and hostile variants of them) byte by byte.
 *
 * <pre>{@code
 * byte[] pkl = new Pickle().proto(2).emptyDict().str("x").int1(1).setitem().stop();
 * }</pre>
 */
public final class Pickle {
  /**
   * {@code {'w': L}} where {@code L1 = [t, t]}, {@code Lk+1 = [Lk, Lk]} and {@code L = Ldepth},
   * with {@code t} a tensor of 2 floats on storage {@code 0} of {@code storageFloats} floats: every
   * list is memoised once and referenced twice by BINGET, so depth 20 hides 2^20 tensors in a few
   * hundred bytes.
   */
  public static byte[] sharedLists(int depth, long storageFloats) {
    Pickle p = new Pickle().proto(2).emptyDict().str("w");
    p.tensor("FloatStorage", "0", storageFloats, 0, new long[] {2}, new long[] {1}).put(1).pop();
    int previous = 1;
    for (int k = 0; k < depth; k++) {
      p.emptyList().put(k + 2).mark().get(previous).get(previous).appends().pop();
      previous = k + 2;
    }
    return p.get(previous).setitem().stop();
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** Appends one opcode byte (or any raw byte). */
  public Pickle op(int code) {
    out.write(code);
    return this;
  }

  /** PROTO {@code v}. */
  public Pickle proto(int v) {
    return op(0x80).op(v);
  }

  /** MARK. */
  public Pickle mark() {
    return op('(');
  }

  /** TUPLE (from the last MARK). */
  public Pickle tuple() {
    return op('t');
  }

  /** TUPLE1. */
  public Pickle tuple1() {
    return op(0x85);
  }

  /** TUPLE2. */
  public Pickle tuple2() {
    return op(0x86);
  }

  /** TUPLE3. */
  public Pickle tuple3() {
    return op(0x87);
  }

  /** EMPTY_TUPLE. */
  public Pickle emptyTuple() {
    return op(')');
  }

  /** EMPTY_DICT. */
  public Pickle emptyDict() {
    return op('}');
  }

  /** EMPTY_LIST. */
  public Pickle emptyList() {
    return op(']');
  }

  /** APPEND. */
  public Pickle append() {
    return op('a');
  }

  /** APPENDS (from the last MARK). */
  public Pickle appends() {
    return op('e');
  }

  /** SETITEM. */
  public Pickle setitem() {
    return op('s');
  }

  /** SETITEMS (from the last MARK). */
  public Pickle setitems() {
    return op('u');
  }

  /** REDUCE. */
  public Pickle reduce() {
    return op('R');
  }

  /** BUILD. */
  public Pickle build() {
    return op('b');
  }

  /** NONE. */
  public Pickle none() {
    return op('N');
  }

  /** POP. */
  public Pickle pop() {
    return op('0');
  }

  /** NEWTRUE or NEWFALSE. */
  public Pickle bool(boolean v) {
    return op(v ? 0x88 : 0x89);
  }

  /** BINPUT {@code i} (0 to 255). */
  public Pickle put(int i) {
    return op('q').op(i);
  }

  /** BINGET {@code i} (0 to 255). */
  public Pickle get(int i) {
    return op('h').op(i);
  }

  /** LONG_BINPUT {@code i}. */
  public Pickle longPut(int i) {
    op('r');
    return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array());
  }

  /** LONG_BINGET {@code i}. */
  public Pickle longGet(int i) {
    op('j');
    return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array());
  }

  /** BININT1 {@code v} (0 to 255). */
  public Pickle int1(int v) {
    return op('K').op(v);
  }

  /** BININT {@code v}. */
  public Pickle int4(int v) {
    op('J');
    return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
  }

  /** LONG1 with 8 bytes. */
  public Pickle long1(long v) {
    op(0x8a).op(8);
    return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
  }

  /** BINFLOAT. */
  public Pickle float8(double v) {
    op('G');
    return raw(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(v).array());
  }

  /** BINUNICODE. */
  public Pickle str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op('X');
    raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
    return raw(b);
  }

  /** GLOBAL {@code module.name}. */
  public Pickle global(String module, String name) {
    op('c');
    return raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** STACK_GLOBAL. */
  public Pickle stackGlobal() {
    return op(0x93);
  }

  /**
   * Pushes the storage of a persistent id {@code ('storage', torch.<type>, key, 'cpu', numel)}
   * (BINPERSID).
   */
  public Pickle storage(String type, String key, long numel) {
    mark().str("storage").global("torch", type).str(key).str("cpu");
    if (numel < 256) {
      int1((int) numel);
    } else if (numel <= Integer.MAX_VALUE) {
      int4((int) numel);
    } else {
      long1(numel);
    }
    return tuple().op('Q');
  }

  /**
   * Pushes a tensor, {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False,
   * {})}, whose storage is the persistent id of {@code type}, {@code key} and {@code numel}.
   */
  public Pickle tensor(
      String type, String key, long numel, long offset, long[] size, long[] stride) {
    global("torch._utils", "_rebuild_tensor_v2").mark().storage(type, key, numel);
    number(offset);
    mark();
    for (long s : size) {
      number(s);
    }
    tuple().mark();
    for (long s : stride) {
      number(s);
    }
    return tuple().bool(false).emptyDict().tuple().reduce();
  }

  private Pickle number(long v) {
    if (v >= 0 && v < 256) {
      return int1((int) v);
    }
    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      return int4((int) v);
    }
    return long1(v);
  }

  /** Appends raw bytes. */
  public Pickle raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  /** Appends STOP and returns the pickle. */
  public byte[] stop() {
    op('.');
    return out.toByteArray();
  }

  /** The bytes written so far, without a STOP. */
  public byte[] bytes() {
    return out.toByteArray();
  }
}

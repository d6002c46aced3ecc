package dev.sonus.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip archives field by field, so that tests can make what {@link
 * java.util.zip.ZipOutputStream} never writes: entries that inflate to gigabytes from a megabyte (a
 * deflate block repeated), and directories that state a wrong uncompressed size.
 *
 * <pre>{@code
 * RawZip.Entry bomb = RawZip.deflatedRepeat("m/data.pkl", chunk, 1024); // 1024 copies of chunk
 * RawZip.write(file, List.of(bomb));
 * }</pre>
 */
public final class RawZip {
  private RawZip() {}

  /**
   * One entry as it is stored.
   *
   * @param name entry name
   * @param method 0 (stored) or 8 (deflated)
   * @param crc CRC-32 of the uncompressed bytes
   * @param statedSize the uncompressed size written in both headers (true or not)
   * @param data the stored bytes, one piece repeated {@code repeat} times, then {@code tail}
   * @param repeat how many times {@code data} is written
   * @param tail bytes written once after the repeats
   */
  public record Entry(
      String name, int method, long crc, long statedSize, byte[] data, int repeat, byte[] tail) {
    long storedSize() {
      return (long) data.length * repeat + tail.length;
    }

    /** The same entry with another stated uncompressed size. */
    public Entry statingSize(long size) {
      return new Entry(name, method, crc, size, data, repeat, tail);
    }
  }

  /** A stored (uncompressed) entry. */
  public static Entry stored(String name, byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return new Entry(name, 0, crc.getValue(), bytes.length, bytes, 1, new byte[0]);
  }

  /** A deflated entry of {@code bytes}. */
  public static Entry deflated(String name, byte[] bytes) {
    return deflatedRepeat(name, bytes, 1);
  }

  /**
   * A deflated entry whose uncompressed content is {@code chunk} repeated {@code times} times, made
   * by deflating {@code chunk} once with a full flush (which resets the compressor, so every copy
   * encodes the same) and repeating those bytes: 1 GiB of zeros takes about 1 MB.
   */
  public static Entry deflatedRepeat(String name, byte[] chunk, int times) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(chunk);
    byte[] block = drain(d, Deflater.FULL_FLUSH);
    d.finish();
    byte[] end = drain(d, Deflater.NO_FLUSH);
    d.end();
    CRC32 crc = new CRC32();
    for (int i = 0; i < times; i++) {
      crc.update(chunk);
    }
    return new Entry(name, 8, crc.getValue(), (long) chunk.length * times, block, times, end);
  }

  private static byte[] drain(Deflater d, int flush) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    while (true) {
      int n = d.deflate(buf, 0, buf.length, flush);
      out.write(buf, 0, n);
      if (n < buf.length && (flush != Deflater.NO_FLUSH || d.finished())) {
        return out.toByteArray();
      }
    }
  }

  /**
   * Writes a torch checkpoint archive: {@code archive/data.pkl} holding {@code pickle} and one
   * stored {@code archive/data/<key>} entry per storage.
   */
  public static Path checkpoint(Path file, byte[] pickle, java.util.Map<String, byte[]> storages) {
    List<Entry> entries = new java.util.ArrayList<>();
    entries.add(stored("archive/data.pkl", pickle));
    storages.forEach((k, v) -> entries.add(stored("archive/data/" + k, v)));
    return write(file, entries);
  }

  /** Writes the entries, local headers then central directory, to {@code file}. */
  public static Path write(Path file, List<Entry> entries) {
    try (OutputStream out = Files.newOutputStream(file)) {
      write(out, entries);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The archive of {@link #write(Path, List)} in memory (for small entries). */
  public static byte[] bytes(List<Entry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(out, entries);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(OutputStream out, List<Entry> entries) throws IOException {
    long at = 0;
    List<Long> offsets = new ArrayList<>();
    for (Entry e : entries) {
      offsets.add(at);
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      ByteBuffer h = le(30 + name.length);
      h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0);
      h.putShort((short) e.method()).putShort((short) 0).putShort((short) 0x21);
      h.putInt((int) e.crc()).putInt((int) e.storedSize()).putInt((int) e.statedSize());
      h.putShort((short) name.length).putShort((short) 0).put(name);
      out.write(h.array());
      for (int i = 0; i < e.repeat(); i++) {
        out.write(e.data());
      }
      out.write(e.tail());
      at += h.capacity() + e.storedSize();
    }
    long cdStart = at;
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      ByteBuffer c = le(46 + name.length);
      c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0);
      c.putShort((short) e.method()).putShort((short) 0).putShort((short) 0x21);
      c.putInt((int) e.crc()).putInt((int) e.storedSize()).putInt((int) e.statedSize());
      c.putShort((short) name.length).putShort((short) 0).putShort((short) 0);
      c.putShort((short) 0).putShort((short) 0).putInt(0).putInt(offsets.get(i).intValue());
      c.put(name);
      out.write(c.array());
      at += c.capacity();
    }
    ByteBuffer end = le(22);
    end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
    end.putShort((short) entries.size()).putShort((short) entries.size());
    end.putInt((int) (at - cdStart)).putInt((int) cdStart).putShort((short) 0);
    out.write(end.array());
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}

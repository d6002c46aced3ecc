package dev.sonus.audio;

import dev.sonus.tensor.Natives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecDescriptor;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes compressed audio through FFmpeg's libraries (Bytedeco's presets): MP3, Ogg Vorbis and
 * Opus, AAC in MP4/M4A or as ADTS, WebM/Matroska, and whatever else the FFmpeg build demuxes and
 * decodes (AIFF, CAF, WMA, AMR, Ogg FLAC, ...).
 *
 * <p>The best audio stream of the file ({@code av_find_best_stream}) is decoded to 32-bit float
 * samples, channel first, at the stream's own rate and channel count (Opus always decodes at 48
 * kHz, as in FFmpeg and torchaudio). Encoder delay and padding are removed where the container says
 * how much they are (LAME/Xing headers, Opus pre-skip, MP4 edit lists), as FFmpeg does.
 *
 * <p>As strict as the WAV and FLAC readers: decoders run with {@code AV_EF_EXPLODE}, so a damaged
 * frame is an error instead of a skipped one, and a stream that ends well before the length its
 * container declares (a truncated MP3 with a Xing header, a WebM cut short, an Ogg stream whose
 * damaged pages FFmpeg skipped), an MPEG audio frame cut at the end of the file and an Ogg page cut
 * at the end of the file (which FFmpeg would pass over in silence) are reported as truncation.
 * Every error is an {@link AudioFormatException} naming the file, what FFmpeg said, the byte offset
 * where it is known and the fix.
 *
 * <p>Files are untrusted: only the {@code file} protocol is allowed, and demuxers that open other
 * files or URLs named inside the input (playlists such as HLS, DASH and concat, image sequences,
 * SDP and RTSP) are refused. Each call owns its FFmpeg contexts and frees all of them before it
 * returns, whatever happens, so calls may run concurrently on loader threads. FFmpeg's own log
 * lines go to this class's slf4j logger at debug level; the last warning or error of a call is
 * quoted in its exception.
 */
final class FfmpegReader {
  private static final Logger LOG = LoggerFactory.getLogger(FfmpegReader.class);

  /**
   * Samples per channel in one block of decoded samples (the samples are copied once, at the end).
   */
  private static final int BLOCK = 1 << 16;

  /**
   * How far (samples) a decoded stream may fall short of its declared length before it counts as
   * truncated, beyond 10 ms: the encoder delay or padding a container may fail to trim is under one
   * codec frame (at most 2048 samples for AAC, Vorbis in practice, Opus and MP3).
   */
  private static final int SHORTFALL_SLACK = 4096;

  /** Ogg's largest page: 27 header bytes, 255 lacing values and 255 segments of 255 bytes. */
  private static final int OGG_MAX_PAGE = 27 + 255 + 255 * 255;

  /**
   * Demuxers that read other files or URLs named inside the input (playlists, image sequences,
   * session descriptions) or run scripts: an untrusted audio file must not make them do so.
   */
  private static final Set<String> REFUSED_DEMUXERS =
      Set.of(
          "hls",
          "applehttp",
          "dash",
          "concat",
          "imf",
          "sdp",
          "rtsp",
          "rtp",
          "webm_dash_manifest",
          "image2",
          "ffmetadata",
          "avisynth",
          "vapoursynth");

  private static final Pattern ADDRESS = Pattern.compile(" @ 0x[0-9a-fA-F]+");

  /** The charset FFmpeg expects file names in: UTF-8 on Windows, the JVM's native one elsewhere. */
  private static final Charset FILE_NAMES =
      System.getProperty("os.name", "").startsWith("Windows")
          ? StandardCharsets.UTF_8
          : Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

  private static final ThreadLocal<LogCapture> CAPTURE = new ThreadLocal<>();

  private static volatile boolean ready;
  private static String formatWhitelist;

  /** Kept reachable for as long as FFmpeg may call it: once per process. */
  @SuppressWarnings("unused")
  private static LogCallback logBridge;

  private FfmpegReader() {}

  /**
   * Decodes the best audio stream of a file.
   *
   * @param head the file's first bytes in hex when {@link AudioIO} did not recognise its container
   *     (errors then say that the format is unknown), else null
   * @throws AudioFormatException naming the file if it cannot be opened or decoded, is damaged or
   *     truncated, holds no audio, decodes to more than {@link
   *     AudioIO.ReadOptions#maxDecodedBytes()} or, unless allowed, to NaN or infinite samples
   */
  static Audio read(Path path, AudioIO.ReadOptions options, String head) {
    // Before FFmpeg, whose own error for a small file cut short is a bare "End of file".
    checkOggEnd(path);
    try (PointerScope scope = new PointerScope();
        Input in = Input.open(path, head)) {
      long declared = in.declaredFrames();
      if (declared > 0) {
        options.checkDecodedSize(path, "the container declares", in.channels(), declared);
      }
      in.openDecoder();
      KeepingSink sink = new KeepingSink(path, options);
      in.decode(sink);
      if (sink.frames == 0) {
        throw new AudioFormatException(
            path,
            "the "
                + in.describe()
                + " stream decodes to 0 samples: the recording is empty, or the file is damaged");
      }
      in.checkLastMpegFrame();
      if (declared > 0 && sink.frames + SHORTFALL_SLACK + sink.rate / 100 < declared) {
        throw new AudioFormatException(
            path,
            String.format(
                Locale.ROOT,
                "the %s stream decodes to %d samples (%.3f s) but its container declares %d"
                    + " (%.3f s): the file is truncated or damaged (its last audio packet starts at"
                    + " byte %d of %d)%s. %s",
                in.describe(),
                sink.frames,
                (double) sink.frames / sink.rate,
                declared,
                (double) declared / sink.rate,
                in.lastPacketPos,
                in.fileSize,
                in.log.quote(),
                DAMAGED_FIX));
      }
      float[][] samples = sink.samples();
      sink.checkFinite(in.describe());
      return new Audio(samples, sink.rate);
    }
  }

  /**
   * Reads rate, channels, length and codec of the best audio stream: the length from the container
   * where it declares one (a stream duration, or the file's duration × rate), else by summing the
   * durations of the packets (demuxing without decoding), else by decoding and counting without
   * keeping the samples (under {@link AudioIO.ReadOptions#maxDecodedBytes()}).
   *
   * @param head as {@link #read}
   * @throws AudioFormatException naming the file if it cannot be opened or holds no audio
   */
  static AudioInfo info(Path path, AudioIO.ReadOptions options, String head) {
    try (PointerScope scope = new PointerScope()) {
      String encoding;
      int bits;
      int rate;
      int channels;
      long frames;
      try (Input in = Input.open(path, head)) {
        encoding = in.encoding();
        bits = in.bitsPerSample();
        rate = in.par.sample_rate();
        channels = in.channels();
        frames = in.declaredFrames();
        if (frames < 0 && rate > 0 && channels > 0) {
          frames = in.countPacketFrames();
        }
      }
      if (frames < 0 || rate <= 0 || channels <= 0) {
        try (Input in = Input.open(path, head)) {
          in.openDecoder();
          CountingSink sink = new CountingSink(path, options);
          in.decode(sink);
          frames = sink.frames;
          rate = sink.rate;
          channels = sink.channels;
          if (frames == 0) {
            throw new AudioFormatException(
                path,
                "the "
                    + in.describe()
                    + " stream decodes to 0 samples: the recording is empty, or the file is"
                    + " damaged");
          }
        }
      }
      return new AudioInfo(rate, channels, frames, bits, encoding);
    }
  }

  private static final String DAMAGED_FIX =
      "Re-create the file from a good copy, or remove it from the manifest; ffmpeg -i FILE"
          + " out.flac keeps what still decodes";

  /** Loads FFmpeg, routes its log to slf4j and lists the allowed demuxers; once per process. */
  private static void ensureReady() {
    if (ready) {
      return;
    }
    synchronized (FfmpegReader.class) {
      if (ready) {
        return;
      }
      Natives.loadFfmpeg();
      StringJoiner allowed = new StringJoiner(",");
      try (PointerPointer<?> opaque = new PointerPointer<>(1)) {
        opaque.put(0, (Pointer) null);
        for (AVInputFormat f = avformat.av_demuxer_iterate(opaque);
            f != null && !f.isNull();
            f = avformat.av_demuxer_iterate(opaque)) {
          String names = f.name().getString();
          boolean refused = false;
          for (String name : names.split(",")) {
            refused |= REFUSED_DEMUXERS.contains(name);
          }
          if (!refused) {
            allowed.add(names);
          }
        }
      }
      formatWhitelist = allowed.toString();
      LogCallback bridge = new LogBridge();
      // Outlives any PointerScope the first caller may have open.
      bridge.retainReference();
      logBridge = bridge;
      avutil.av_log_set_level(avutil.AV_LOG_WARNING);
      avutil.setLogCallback(bridge);
      ready = true;
    }
  }

  /** Forwards FFmpeg's log lines to slf4j and to the capture of the call running on this thread. */
  private static final class LogBridge extends LogCallback {
    @Override
    public void call(int level, BytePointer message) {
      // An exception must not unwind into FFmpeg's C frames.
      try {
        if (level > avutil.AV_LOG_WARNING || message == null || message.isNull()) {
          return;
        }
        String line = ADDRESS.matcher(message.getString()).replaceAll("").strip();
        if (line.isEmpty()) {
          return;
        }
        LogCapture capture = CAPTURE.get();
        if (capture != null) {
          capture.note(level, line);
        }
        LOG.debug("FFmpeg: {}", line);
      } catch (RuntimeException e) {
        LOG.debug("could not forward an FFmpeg log line", e);
      }
    }
  }

  /** The last warning and error that FFmpeg logged during one call, on its thread. */
  private static final class LogCapture {
    private String lastError;
    private String lastWarning;

    void note(int level, String line) {
      if (level <= avutil.AV_LOG_ERROR) {
        lastError = line;
      } else {
        lastWarning = line;
      }
    }

    /** {@code " (FFmpeg logged: ...)"}, or empty when it logged nothing. */
    String quote() {
      String line = lastError != null ? lastError : lastWarning;
      return line == null ? "" : " (FFmpeg logged: " + line + ")";
    }
  }

  /**
   * One file open for demuxing with its best audio stream chosen, and, once {@link #openDecoder()}
   * ran, its decoder; {@link #close()} frees every native object, whichever were made.
   */
  private static final class Input implements AutoCloseable {
    final Path path;
    final String head;
    final long fileSize;
    final LogCapture log = new LogCapture();
    private final LogCapture outerCapture;
    AVFormatContext fmt;
    AVStream stream;
    AVCodecParameters par;
    int index;
    AVCodecContext codec;
    AVPacket packet;
    AVFrame frame;
    SwrContext swr;
    int swrFormat = avutil.AV_SAMPLE_FMT_NONE;
    FloatPointer[] planes = new FloatPointer[0];
    PointerPointer<FloatPointer> planePointers;
    long lastPacketPos = -1;
    int lastPacketSize;
    int lastPacketHeader;

    private Input(Path path, String head, long fileSize) {
      this.path = path;
      this.head = head;
      this.fileSize = fileSize;
      this.outerCapture = CAPTURE.get();
      CAPTURE.set(log);
    }

    static Input open(Path path, String head) {
      long size;
      try {
        size = Files.size(path);
      } catch (IOException e) {
        throw new AudioFormatException(path, "cannot read: " + e.getMessage(), e);
      }
      ensureReady();
      Input in = new Input(path, head, size);
      try {
        in.openContainer();
        return in;
      } catch (RuntimeException | Error e) {
        in.close();
        throw e;
      }
    }

    private void openContainer() {
      AVDictionary options = new AVDictionary(null);
      try {
        avutil.av_dict_set(options, "protocol_whitelist", "file", 0);
        avutil.av_dict_set(options, "format_whitelist", formatWhitelist, 0);
        fmt = new AVFormatContext(null);
        int r;
        // "file:" keeps a colon in the name from being read as a protocol prefix.
        try (BytePointer url = new BytePointer("file:" + path.toAbsolutePath(), FILE_NAMES)) {
          r = avformat.avformat_open_input(fmt, url, null, options);
        }
        if (r < 0) {
          throw cannotOpen("FFmpeg cannot open it", r);
        }
      } finally {
        avutil.av_dict_free(options);
      }
      if (head != null && fmt.probe_score() <= avformat.AVPROBE_SCORE_RETRY) {
        // FFmpeg itself warns of a possible misdetection at such scores.
        throw unknownFormat(
            "FFmpeg's best guess, "
                + formatName()
                + ", scores only "
                + fmt.probe_score()
                + " of "
                + avformat.AVPROBE_SCORE_MAX
                + ", too low to trust");
      }
      int r = avformat.avformat_find_stream_info(fmt, (PointerPointer<?>) null);
      if (r < 0) {
        throw cannotOpen("FFmpeg cannot read its stream parameters", r);
      }
      index =
          avformat.av_find_best_stream(fmt, avutil.AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
      if (index < 0) {
        String none =
            "FFmpeg reads it as a "
                + formatName()
                + " container that holds no audio stream (streams: "
                + streamList()
                + ")";
        if (head != null) {
          throw unknownFormat(none);
        }
        throw new AudioFormatException(
            path, none + "; pass an audio file, or extract its audio: ffmpeg -i FILE -vn out.flac");
      }
      stream = fmt.streams(index);
      par = stream.codecpar();
    }

    private AudioFormatException cannotOpen(String what, int error) {
      if (head != null) {
        return unknownFormat(what + " (" + errorText(error) + log.quote() + ")");
      }
      return new AudioFormatException(
          path,
          what
              + " ("
              + errorText(error)
              + log.quote()
              + ")"
              + at(position())
              + ": the file is damaged or truncated. "
              + DAMAGED_FIX);
    }

    /** For a file whose first bytes {@link AudioIO} did not recognise and FFmpeg cannot read. */
    private AudioFormatException unknownFormat(String ffmpegSays) {
      return new AudioFormatException(
          path,
          "unrecognised audio format (first bytes "
              + head
              + "); supported: WAV (RIFF/WAVE), FLAC and what FFmpeg decodes (MP3, Ogg Vorbis/Opus,"
              + " AAC/M4A, WebM/Matroska, AIFF, ...), and "
              + ffmpegSays
              + ". Check that the file is audio and complete, or convert it with e.g. ffmpeg -i"
              + " FILE out.flac");
    }

    String formatName() {
      AVInputFormat f = fmt == null || fmt.isNull() ? null : fmt.iformat();
      return f == null || f.isNull() ? "unknown" : f.name().getString();
    }

    private String streamList() {
      StringJoiner j = new StringJoiner(", ");
      for (int i = 0; i < fmt.nb_streams(); i++) {
        AVCodecParameters p = fmt.streams(i).codecpar();
        BytePointer type = avutil.av_get_media_type_string(p.codec_type());
        j.add(
            (type == null || type.isNull() ? "unknown" : type.getString())
                + " "
                + avcodec.avcodec_get_name(p.codec_id()).getString());
      }
      return j.length() == 0 ? "none" : j.toString();
    }

    /** {@code "MP3 (mp3)"}-like: the codec and the container, for messages. */
    String describe() {
      return encoding() + " (in " + formatName() + ")";
    }

    int channels() {
      return par.ch_layout().nb_channels();
    }

    String encoding() {
      return avcodec.avcodec_get_name(par.codec_id()).getString().toUpperCase(Locale.ROOT);
    }

    /** Bits per stored sample for lossless codecs (PCM, FLAC, ALAC, ...); 0 for lossy ones. */
    int bitsPerSample() {
      AVCodecDescriptor d = avcodec.avcodec_descriptor_get(par.codec_id());
      if (d == null || d.isNull() || (d.props() & avcodec.AV_CODEC_PROP_LOSSLESS) == 0) {
        return 0;
      }
      return par.bits_per_raw_sample() > 0
          ? par.bits_per_raw_sample()
          : Math.max(0, par.bits_per_coded_sample());
    }

    /**
     * Samples per channel that the container declares (its stream duration, or its duration × rate
     * when it has only this stream), less the encoder delay it names; -1 when it declares none or
     * FFmpeg only estimated it from the bit rate.
     */
    long declaredFrames() {
      int method = fmt.duration_estimation_method();
      int rate = par.sample_rate();
      if (rate <= 0
          || (method != avformat.AVFMT_DURATION_FROM_STREAM
              && method != avformat.AVFMT_DURATION_FROM_PTS)) {
        return -1;
      }
      long frames;
      AVRational tb = stream.time_base();
      if (stream.duration() != avutil.AV_NOPTS_VALUE && stream.duration() > 0 && tb.den() > 0) {
        frames = avutil.av_rescale(stream.duration(), (long) tb.num() * rate, tb.den());
      } else if (fmt.nb_streams() == 1
          && fmt.duration() != avutil.AV_NOPTS_VALUE
          && fmt.duration() > 0) {
        frames = avutil.av_rescale(fmt.duration(), rate, avutil.AV_TIME_BASE);
      } else {
        return -1;
      }
      return Math.max(0, frames - Math.max(0, par.initial_padding()));
    }

    /**
     * Sums the durations of the stream's packets, demuxing without decoding; -1 when a packet has
     * no duration.
     */
    long countPacketFrames() {
      packet = newPacket();
      long ticks = 0;
      while (true) {
        int r = avformat.av_read_frame(fmt, packet);
        if (r == avutil.AVERROR_EOF) {
          break;
        }
        if (r < 0) {
          throw damaged("reading the container failed", r, position());
        }
        try {
          if (packet.stream_index() != index) {
            continue;
          }
          if (packet.duration() <= 0) {
            return -1;
          }
          ticks += packet.duration();
        } finally {
          avcodec.av_packet_unref(packet);
        }
      }
      AVRational tb = stream.time_base();
      long frames = avutil.av_rescale(ticks, (long) tb.num() * par.sample_rate(), tb.den());
      return Math.max(0, frames - Math.max(0, par.initial_padding()));
    }

    void openDecoder() {
      AVCodec decoder = avcodec.avcodec_find_decoder(par.codec_id());
      if (decoder == null || decoder.isNull()) {
        throw new AudioFormatException(
            path,
            "this FFmpeg build has no decoder for its "
                + describe()
                + " stream; convert the file with a full ffmpeg: ffmpeg -i FILE out.flac");
      }
      codec = avcodec.avcodec_alloc_context3(decoder);
      if (codec == null || codec.isNull()) {
        throw new OutOfMemoryError("FFmpeg could not allocate a decoder context for " + path);
      }
      check("copying the stream parameters", avcodec.avcodec_parameters_to_context(codec, par));
      // Decoding runs on the caller's thread: the data loader already decodes files in parallel.
      codec.thread_count(1);
      codec.err_recognition(codec.err_recognition() | avcodec.AV_EF_EXPLODE);
      codec.pkt_timebase(stream.time_base());
      check("opening the decoder", avcodec.avcodec_open2(codec, decoder, (AVDictionary) null));
      packet = newPacket();
      frame = avutil.av_frame_alloc();
      if (frame == null || frame.isNull()) {
        throw new OutOfMemoryError("FFmpeg could not allocate a frame for " + path);
      }
    }

    private AVPacket newPacket() {
      AVPacket p = avcodec.av_packet_alloc();
      if (p == null || p.isNull()) {
        throw new OutOfMemoryError("FFmpeg could not allocate a packet for " + path);
      }
      return p;
    }

    private void check(String what, int r) {
      if (r < 0) {
        throw new AudioFormatException(
            path,
            what
                + " of its "
                + describe()
                + " stream failed: "
                + errorText(r)
                + log.quote()
                + ". "
                + DAMAGED_FIX);
      }
    }

    /** Demuxes and decodes the whole stream, handing every decoded frame to {@code sink}. */
    void decode(Sink sink) {
      while (true) {
        int r = avformat.av_read_frame(fmt, packet);
        if (r == avutil.AVERROR_EOF) {
          break;
        }
        if (r < 0) {
          throw damaged("reading the container failed", r, position());
        }
        try {
          if (packet.stream_index() != index) {
            continue;
          }
          lastPacketPos = packet.pos() >= 0 ? packet.pos() : position();
          lastPacketSize = packet.size();
          lastPacketHeader = packet.size() >= 4 ? bigEndianInt(packet.data()) : 0;
          send(packet, sink);
        } finally {
          avcodec.av_packet_unref(packet);
        }
      }
      send(null, sink);
    }

    private void send(AVPacket p, Sink sink) {
      int r = avcodec.avcodec_send_packet(codec, p);
      if (r == avutil.AVERROR_EAGAIN()) {
        receive(sink);
        r = avcodec.avcodec_send_packet(codec, p);
      }
      if (r < 0 && r != avutil.AVERROR_EOF) {
        throw damaged("decoding failed", r, lastPacketPos);
      }
      receive(sink);
    }

    private void receive(Sink sink) {
      while (true) {
        int r = avcodec.avcodec_receive_frame(codec, frame);
        if (r == avutil.AVERROR_EAGAIN() || r == avutil.AVERROR_EOF) {
          return;
        }
        if (r < 0) {
          throw damaged("decoding failed", r, lastPacketPos);
        }
        try {
          deliver(sink);
        } finally {
          avutil.av_frame_unref(frame);
        }
      }
    }

    /** Hands the decoded frame to {@code sink} as float planes, converting other formats. */
    private void deliver(Sink sink) {
      int n = frame.nb_samples();
      if (n <= 0) {
        return;
      }
      int channels = frame.ch_layout().nb_channels();
      sink.start(channels, frame.sample_rate(), this);
      if (!sink.keepsSamples()) {
        sink.add(null, n);
        return;
      }
      if (frame.format() == avutil.AV_SAMPLE_FMT_FLTP) {
        Pointer[] src = new Pointer[channels];
        for (int c = 0; c < channels; c++) {
          src[c] = frame.extended_data(c);
        }
        sink.add(src, n);
      } else {
        sink.add(toFloatPlanar(n, channels), n);
      }
    }

    /** Converts the current frame to float planar with libswresample (same rate and layout). */
    private Pointer[] toFloatPlanar(int n, int channels) {
      if (swr == null || frame.format() != swrFormat) {
        if (swr != null && !swr.isNull()) {
          swresample.swr_free(swr);
        }
        swr = new SwrContext(null);
        int r =
            swresample.swr_alloc_set_opts2(
                swr,
                frame.ch_layout(),
                avutil.AV_SAMPLE_FMT_FLTP,
                frame.sample_rate(),
                frame.ch_layout(),
                frame.format(),
                frame.sample_rate(),
                0,
                null);
        if (r >= 0) {
          r = swresample.swr_init(swr);
        }
        if (r < 0) {
          BytePointer name = avutil.av_get_sample_fmt_name(frame.format());
          throw new AudioFormatException(
              path,
              "libswresample cannot convert the "
                  + describe()
                  + " decoder's "
                  + (name == null || name.isNull() ? "unknown" : name.getString())
                  + " samples to float: "
                  + errorText(r)
                  + "; convert the file with ffmpeg -i FILE out.flac");
        }
        swrFormat = frame.format();
      }
      if (planes.length != channels || planes[0].capacity() < n) {
        for (FloatPointer plane : planes) {
          plane.close();
        }
        if (planePointers != null) {
          planePointers.close();
        }
        planes = new FloatPointer[channels];
        for (int c = 0; c < channels; c++) {
          planes[c] = new FloatPointer(Math.max(n, 4096));
        }
        planePointers = new PointerPointer<>(planes);
      }
      int got = swresample.swr_convert(swr, planePointers, n, frame.extended_data(), n);
      if (got != n) {
        throw new AudioFormatException(
            path,
            "libswresample converted "
                + got
                + " of "
                + n
                + " samples of the "
                + describe()
                + " stream ("
                + (got < 0 ? errorText(got) : "unexpected count")
                + "); convert the file with ffmpeg -i FILE out.flac");
      }
      return planes;
    }

    /**
     * MPEG audio (MP1/MP2/MP3) frames carry their length in their header; FFmpeg decodes a frame
     * cut by the end of the file as if it were whole (zero-filled), so a cut is caught here.
     */
    void checkLastMpegFrame() {
      int id = par.codec_id();
      if (id != avcodec.AV_CODEC_ID_MP3
          && id != avcodec.AV_CODEC_ID_MP2
          && id != avcodec.AV_CODEC_ID_MP1) {
        return;
      }
      int needed = mpegFrameBytes(lastPacketHeader);
      if (needed > 0 && lastPacketSize < needed) {
        throw new AudioFormatException(
            path,
            "the file is truncated: its last "
                + describe()
                + " frame, at byte "
                + lastPacketPos
                + ", needs "
                + needed
                + " bytes but the file ends after "
                + lastPacketSize
                + " (at byte "
                + fileSize
                + "). "
                + DAMAGED_FIX);
      }
    }

    private static int bigEndianInt(BytePointer data) {
      byte[] b = new byte[4];
      data.get(b);
      return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** {@code " at byte P of N"}, or {@code " (N bytes)"} when the position is unknown. */
    private String at(long pos) {
      return pos >= 0
          ? " at byte " + pos + " of " + fileSize
          : " (the file has " + fileSize + " bytes)";
    }

    private AudioFormatException damaged(String what, int error, long pos) {
      return new AudioFormatException(
          path,
          String.format(
              Locale.ROOT,
              "%s of its %s stream%s: %s%s; the file is damaged or truncated. %s",
              what,
              describe(),
              at(pos),
              errorText(error),
              log.quote(),
              DAMAGED_FIX));
    }

    /** Where FFmpeg's reader stands in the file, or -1 when it has none. */
    long position() {
      AVIOContext pb = fmt == null || fmt.isNull() ? null : fmt.pb();
      return pb == null || pb.isNull() ? -1 : avformat.avio_tell(pb);
    }

    @Override
    public void close() {
      try {
        if (swr != null && !swr.isNull()) {
          swresample.swr_free(swr);
        }
        if (frame != null && !frame.isNull()) {
          avutil.av_frame_free(frame);
        }
        if (packet != null && !packet.isNull()) {
          avcodec.av_packet_free(packet);
        }
        if (codec != null && !codec.isNull()) {
          avcodec.avcodec_free_context(codec);
        }
        if (fmt != null && !fmt.isNull()) {
          avformat.avformat_close_input(fmt);
        }
        for (FloatPointer plane : planes) {
          plane.close();
        }
        if (planePointers != null) {
          planePointers.close();
        }
      } finally {
        if (outerCapture == null) {
          CAPTURE.remove();
        } else {
          CAPTURE.set(outerCapture);
        }
      }
    }
  }

  /** Receives decoded frames: float planes of {@code n} samples per channel. */
  private abstract static class Sink {
    final Path path;
    final AudioIO.ReadOptions options;
    int channels = -1;
    int rate;
    long frames;

    Sink(Path path, AudioIO.ReadOptions options) {
      this.path = path;
      this.options = options;
    }

    /** Fixes the shape at the first frame; refuses a later frame of another shape. */
    final void start(int frameChannels, int frameRate, Input in) {
      if (channels < 0) {
        if (frameChannels <= 0 || frameRate <= 0) {
          throw new AudioFormatException(
              path,
              "the "
                  + in.describe()
                  + " decoder produced a frame of "
                  + frameChannels
                  + " channel(s) at "
                  + frameRate
                  + " Hz. "
                  + DAMAGED_FIX);
        }
        channels = frameChannels;
        rate = frameRate;
      } else if (frameChannels != channels || frameRate != rate) {
        throw new AudioFormatException(
            path,
            String.format(
                Locale.ROOT,
                "the %s stream changes from %d channel(s) at %d Hz to %d channel(s) at %d Hz near"
                    + " byte %d; one array cannot hold both. Convert it to one shape, e.g. ffmpeg -i"
                    + " FILE -ac %d -ar %d out.flac",
                in.describe(),
                channels,
                rate,
                frameChannels,
                frameRate,
                in.lastPacketPos,
                channels,
                rate));
      }
    }

    abstract boolean keepsSamples();

    /** Takes {@code n} more samples per channel ({@code planes} is null when not kept). */
    abstract void add(Pointer[] planes, int n);

    /** Refuses, before anything is allocated, to grow past the limit or one Java array. */
    final void reserve(int n) {
      options.checkDecodedSize(path, "decoding reached", channels, frames + n);
      if (frames + n > Integer.MAX_VALUE - 8) {
        throw new AudioFormatException(
            path,
            (frames + n)
                + " samples per channel exceed what one array can hold ("
                + (Integer.MAX_VALUE - 8)
                + "); too large to decode at once: split the file");
      }
    }
  }

  /** Counts samples without keeping them (for {@link #info}). */
  private static final class CountingSink extends Sink {
    CountingSink(Path path, AudioIO.ReadOptions options) {
      super(path, options);
    }

    @Override
    boolean keepsSamples() {
      return false;
    }

    @Override
    void add(Pointer[] planes, int n) {
      reserve(n);
      frames += n;
    }
  }

  /**
   * Keeps the samples in blocks of {@link #BLOCK} per channel, copied into one array at the end.
   */
  private static final class KeepingSink extends Sink {
    private List<List<float[]>> blocks;
    private long nonFinite;
    private long firstBad = -1;
    private float firstBadValue;

    KeepingSink(Path path, AudioIO.ReadOptions options) {
      super(path, options);
    }

    @Override
    boolean keepsSamples() {
      return true;
    }

    @Override
    void add(Pointer[] planes, int n) {
      reserve(n);
      if (blocks == null) {
        blocks = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
          blocks.add(new ArrayList<>());
        }
      }
      for (int c = 0; c < channels; c++) {
        List<float[]> list = blocks.get(c);
        FloatPointer src = new FloatPointer(planes[c]);
        int done = 0;
        while (done < n) {
          int at = (int) ((frames + done) % BLOCK);
          if (at == 0) {
            list.add(new float[BLOCK]);
          }
          float[] block = list.get(list.size() - 1);
          int len = Math.min(n - done, BLOCK - at);
          src.position(done).get(block, at, len);
          for (int i = at; i < at + len; i++) {
            if (!Float.isFinite(block[i])) {
              bad((frames + done + i - at) * channels + c, block[i]);
            }
          }
          done += len;
        }
      }
      frames += n;
    }

    private void bad(long sample, float value) {
      if (nonFinite++ == 0 || sample < firstBad) {
        firstBad = sample;
        firstBadValue = value;
      }
    }

    float[][] samples() {
      float[][] out = new float[channels][(int) frames];
      for (int c = 0; c < channels; c++) {
        int at = 0;
        for (float[] block : blocks.get(c)) {
          int len = (int) Math.min(BLOCK, frames - at);
          System.arraycopy(block, 0, out[c], at, len);
          at += len;
        }
      }
      blocks = null;
      return out;
    }

    void checkFinite(String what) {
      if (nonFinite == 0) {
        return;
      }
      String found =
          String.format(
              Locale.ROOT,
              "sample %d (frame %d, channel %d) is %s, the first of %d of the %d samples that are"
                  + " NaN or infinite",
              firstBad,
              firstBad / channels,
              firstBad % channels,
              firstBadValue,
              nonFinite,
              frames * channels);
      if (options.allowNonFinite()) {
        LOG.warn("{}: {}; kept because allowNonFinite is set", path, found);
        return;
      }
      throw new AudioFormatException(
          path,
          found
              + "; the "
              + what
              + " stream must decode to finite samples (the file is corrupt, or its writer"
              + " failed), and they would turn features and losses into NaN. Re-create the file, or"
              + " read it anyway with AudioIO.read(path,"
              + " AudioIO.ReadOptions.defaults().withAllowNonFinite(true)) or, from the command line,"
              + " SONUS_JAVA_OPTS=-D"
              + AudioIO.ReadOptions.ALLOW_NON_FINITE_PROPERTY
              + "=true, which keep them and log a warning");
    }
  }

  /**
   * Bytes of the MPEG audio frame whose (big-endian) header is {@code h}, or 0 when the header does
   * not say (free format, reserved values, no sync).
   */
  static int mpegFrameBytes(int h) {
    if ((h >>> 21) != 0x7FF) {
      return 0;
    }
    int version = (h >>> 19) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
    int layer = (h >>> 17) & 3; // 3: Layer I, 2: Layer II, 1: Layer III, 0: reserved
    int bitrateIndex = (h >>> 12) & 15;
    int rateIndex = (h >>> 10) & 3;
    int padding = (h >>> 9) & 1;
    if (version == 1 || layer == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
      return 0;
    }
    int rate =
        new int[] {44100, 48000, 32000}[rateIndex] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
    int[] kbps;
    if (version == 3) {
      kbps =
          layer == 3
              ? new int[] {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448}
              : layer == 2
                  ? new int[] {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384}
                  : new int[] {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
    } else {
      kbps =
          layer == 3
              ? new int[] {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256}
              : new int[] {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
    }
    int bitsPerSecond = kbps[bitrateIndex] * 1000;
    if (layer == 3) {
      return (12 * bitsPerSecond / rate + padding) * 4;
    }
    int perSlot = layer == 1 && version != 3 ? 72 : 144;
    return perSlot * bitsPerSecond / rate + padding;
  }

  /**
   * Checks that an Ogg file ends with a complete page. FFmpeg stops without a word at a page cut by
   * the end of the file (a download or copy that did not finish), so the check is made here: the
   * last page with a valid checksum must end where the file ends, or be followed by the start of a
   * cut page.
   */
  static void checkOggEnd(Path path) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      int window = (int) Math.min(size, 2L * OGG_MAX_PAGE);
      long base = size - window;
      ByteBuffer buf = ByteBuffer.allocate(window);
      while (buf.hasRemaining() && ch.read(buf, base + buf.position()) >= 0) {
        // a channel may return fewer bytes than asked
      }
      byte[] b = buf.array();
      int filled = buf.position();
      for (int p = filled - 27; p >= 0; p--) {
        if (b[p] != 'O' || b[p + 1] != 'g' || b[p + 2] != 'g' || b[p + 3] != 'S' || b[p + 4] != 0) {
          continue;
        }
        int segments = b[p + 26] & 0xff;
        if (p + 27 + segments > filled) {
          continue;
        }
        int body = 0;
        for (int i = 0; i < segments; i++) {
          body += b[p + 27 + i] & 0xff;
        }
        int end = p + 27 + segments + body;
        if (end > filled || !oggCrcMatches(b, p, end)) {
          continue;
        }
        // The last complete page: what follows it, if anything, must not be a page cut short.
        int rest = filled - end;
        if (rest > 0 && startsLikeOggPage(b, end, rest)) {
          throw new AudioFormatException(
              path,
              "the file is truncated: the Ogg page at byte "
                  + (base + end)
                  + " is cut by the end of the file at byte "
                  + size
                  + " (FFmpeg would stop before it without an error). "
                  + DAMAGED_FIX);
        }
        return;
      }
    } catch (IOException e) {
      throw new AudioFormatException(path, "cannot read: " + e.getMessage(), e);
    }
  }

  private static boolean startsLikeOggPage(byte[] b, int at, int n) {
    byte[] capture = {'O', 'g', 'g', 'S', 0};
    for (int i = 0; i < Math.min(n, capture.length); i++) {
      if (b[at + i] != capture[i]) {
        return false;
      }
    }
    return true;
  }

  private static final int[] OGG_CRC = oggCrcTable();

  private static int[] oggCrcTable() {
    int[] t = new int[256];
    for (int i = 0; i < 256; i++) {
      int r = i << 24;
      for (int k = 0; k < 8; k++) {
        r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
      }
      t[i] = r;
    }
    return t;
  }

  /** Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected) over the page, checksum field as 0. */
  private static boolean oggCrcMatches(byte[] b, int start, int end) {
    int crc = 0;
    for (int i = start; i < end; i++) {
      int v = i >= start + 22 && i < start + 26 ? 0 : b[i] & 0xff;
      crc = (crc << 8) ^ OGG_CRC[((crc >>> 24) ^ v) & 0xff];
    }
    int stored =
        (b[start + 22] & 0xff)
            | (b[start + 23] & 0xff) << 8
            | (b[start + 24] & 0xff) << 16
            | (b[start + 25] & 0xff) << 24;
    return crc == stored;
  }

  /** FFmpeg's text for an error code ({@code av_strerror}). */
  static String errorText(int error) {
    byte[] buf = new byte[256];
    avutil.av_strerror(error, buf, buf.length);
    int n = 0;
    while (n < buf.length && buf[n] != 0) {
      n++;
    }
    return new String(buf, 0, n, StandardCharsets.UTF_8);
  }
}

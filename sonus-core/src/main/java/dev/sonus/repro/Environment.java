package dev.sonus.repro;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.global.torch;

/**
 * What a run ran on: JVM, operating system, CPU, libtorch build and threads, Sonus version and
 * source revision. {@code sonus env} prints it and every run bundle stores it, so that two runs can
 * be compared.
 *
 * @param sonusVersion project version
 * @param gitCommit commit of the checkout the code runs from, or {@code null} outside a checkout
 * @param gitDirty whether that checkout has uncommitted changes ({@code null} when unknown)
 * @param javaVersion {@code java.version}
 * @param javaVendor {@code java.vendor}
 * @param javaVm VM name and version
 * @param os operating system name, version and architecture
 * @param cpuModel CPU model name from the OS, or "unknown"
 * @param cores processors available to the JVM
 * @param simd SIMD instruction sets the CPU reports (sse4_2, avx, avx2, fma, avx512f, ...)
 * @param libtorch libtorch version, build configuration and thread settings
 * @param bytedeco Bytedeco JavaCPP and preset versions, and the native platform
 */
public record Environment(
    String sonusVersion,
    String gitCommit,
    Boolean gitDirty,
    String javaVersion,
    String javaVendor,
    String javaVm,
    String os,
    String cpuModel,
    int cores,
    List<String> simd,
    Libtorch libtorch,
    Map<String, String> bytedeco) {

  /**
   * libtorch's version and build.
   *
   * @param version e.g. 2.7.1
   * @param blas BLAS backend (BLAS_INFO: open = OpenBLAS, mkl, ...)
   * @param onednn oneDNN version, or "off"
   * @param openmp OpenMP version, or "off"
   * @param cpuCapability vectorised kernels in use (AVX2, AVX512, DEFAULT)
   * @param cuda whether built with CUDA
   * @param intraOpThreads {@code at::get_num_threads()}
   * @param interOpThreads {@code at::get_num_interop_threads()}
   * @param parallelBackend OpenMP, native, TBB
   * @param blasThreads size of OpenBLAS's thread pool
   * @param blasCore the kernel family OpenBLAS chose for this CPU (SkylakeX, Haswell, Zen, ...)
   * @param kernelSettings environment variables that override the native libraries' choice of
   *     kernels ({@link #KERNEL_VARIABLES}), as set for this process; empty when none is
   */
  public record Libtorch(
      String version,
      String blas,
      String onednn,
      String openmp,
      String cpuCapability,
      boolean cuda,
      int intraOpThreads,
      int interOpThreads,
      String parallelBackend,
      int blasThreads,
      String blasCore,
      Map<String, String> kernelSettings) {}

  /**
   * Environment variables by which the native libraries choose other kernels than the CPU's best
   * (and so round differently): OpenBLAS's core type, oneDNN's instruction set ceiling (both
   * names), ATen's vector level.
   */
  public static final List<String> KERNEL_VARIABLES =
      List.of("OPENBLAS_CORETYPE", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY");

  private static final Set<String> SIMD_FLAGS =
      Set.of(
          "sse4_1",
          "sse4_2",
          "avx",
          "avx2",
          "fma",
          "f16c",
          "avx512f",
          "avx512bw",
          "avx512vl",
          "avx512_vnni",
          "avx512_bf16",
          "amx_tile",
          "neon",
          "asimd",
          "sve");

  /** Captures the current environment; starts libtorch if it is not loaded yet. */
  public static Environment capture() {
    Properties versions = versions();
    String[] git = git();
    return new Environment(
        versions.getProperty("version", "unknown"),
        git[0],
        git[1] == null ? null : Boolean.valueOf(git[1]),
        System.getProperty("java.version"),
        System.getProperty("java.vendor"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
        readCpuModel(),
        Runtime.getRuntime().availableProcessors(),
        simdFlags(),
        readLibtorch(),
        Map.of(
            "javacpp", versions.getProperty("javacpp.version", "unknown"),
            "pytorch_presets", versions.getProperty("pytorch.version", "unknown"),
            "platform",
                System.getProperty(
                    "javacpp.platform", versions.getProperty("javacpp.platform", "unknown"))));
  }

  /** The record as nested maps and lists, ready for JSON. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sonus_version", sonusVersion);
    m.put("git_commit", gitCommit);
    m.put("git_dirty", gitDirty);
    m.put("java_version", javaVersion);
    m.put("java_vendor", javaVendor);
    m.put("java_vm", javaVm);
    m.put("os", os);
    m.put("cpu_model", cpuModel);
    m.put("cores", cores);
    m.put("simd", simd);
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("version", libtorch.version());
    t.put("blas", libtorch.blas());
    t.put("onednn", libtorch.onednn());
    t.put("openmp", libtorch.openmp());
    t.put("cpu_capability", libtorch.cpuCapability());
    t.put("cuda", libtorch.cuda());
    t.put("intra_op_threads", libtorch.intraOpThreads());
    t.put("inter_op_threads", libtorch.interOpThreads());
    t.put("parallel_backend", libtorch.parallelBackend());
    t.put("blas_threads", libtorch.blasThreads());
    t.put("blas_core", libtorch.blasCore());
    t.put("kernel_settings", new java.util.TreeMap<>(libtorch.kernelSettings()));
    m.put("libtorch", t);
    m.put("bytedeco", new java.util.TreeMap<>(bytedeco));
    return m;
  }

  /** A readable multi-line summary. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "Sonus      %s%s%n",
            sonusVersion,
            gitCommit == null
                ? ""
                : " (git "
                    + gitCommit.substring(0, Math.min(12, gitCommit.length()))
                    + (Boolean.TRUE.equals(gitDirty) ? ", uncommitted changes" : "")
                    + ")"));
    sb.append(
        String.format(Locale.ROOT, "Java       %s (%s), %s%n", javaVersion, javaVendor, javaVm));
    sb.append(String.format(Locale.ROOT, "OS         %s%n", os));
    sb.append(
        String.format(
            Locale.ROOT,
            "CPU        %s, %d cores, SIMD %s%n",
            cpuModel,
            cores,
            simd.isEmpty() ? "none reported" : String.join(" ", simd)));
    sb.append(
        String.format(
            Locale.ROOT,
            "libtorch   %s, BLAS %s (%s kernels), oneDNN %s, OpenMP %s, kernels %s%s%s%n",
            libtorch.version(),
            libtorch.blas(),
            libtorch.blasCore(),
            libtorch.onednn(),
            libtorch.openmp(),
            libtorch.cpuCapability(),
            libtorch.cuda() ? ", CUDA" : "",
            libtorch.kernelSettings().isEmpty()
                ? ""
                : ", set by the environment: " + libtorch.kernelSettings()));
    sb.append(
        String.format(
            Locale.ROOT,
            "Threads    intra-op %d, inter-op %d (%s), BLAS %d%n",
            libtorch.intraOpThreads(),
            libtorch.interOpThreads(),
            libtorch.parallelBackend(),
            libtorch.blasThreads()));
    sb.append(
        String.format(
            Locale.ROOT,
            "Bytedeco   JavaCPP %s, pytorch presets %s, platform %s%n",
            bytedeco.get("javacpp"),
            bytedeco.get("pytorch_presets"),
            bytedeco.get("platform")));
    return sb.toString();
  }

  private static Libtorch readLibtorch() {
    String config = torch.show_config().getString();
    String parallel = torch.get_parallel_info().getString();
    Map<String, String> settings = new LinkedHashMap<>();
    Matcher bs = Pattern.compile("Build settings: (.*)").matcher(config);
    if (bs.find()) {
      for (String kv : bs.group(1).split(", ")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          settings.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
      }
    }
    String onednn = find(config, "MKL-DNN v([0-9.]+)", "off");
    String openmp = find(config, "OpenMP ([0-9]+(?: \\(a\\.k\\.a\\. OpenMP [0-9.]+\\))?)", "off");
    Matcher omp = Pattern.compile("a\\.k\\.a\\. OpenMP ([0-9.]+)").matcher(openmp);
    if (omp.find()) {
      openmp = omp.group(1);
    }
    return new Libtorch(
        settings.getOrDefault("TORCH_VERSION", "unknown"),
        blasName(settings.getOrDefault("BLAS_INFO", "unknown")),
        onednn,
        openmp,
        find(config, "CPU capability usage: (\\S+)", "unknown"),
        "1".equals(settings.get("USE_CUDA")) || "ON".equals(settings.get("USE_CUDA")),
        torch.get_num_threads(),
        (int) torch.get_num_interop_threads(),
        find(parallel, "ATen parallel backend: (\\S+)", "unknown"),
        dev.sonus.tensor.Threads.blas(),
        dev.sonus.tensor.Threads.blasCore(),
        kernelSettings());
  }

  private static Map<String, String> kernelSettings() {
    Map<String, String> set = new LinkedHashMap<>();
    for (String name : KERNEL_VARIABLES) {
      String v = System.getenv(name);
      if (v != null && !v.isBlank()) {
        set.put(name, v);
      }
    }
    return set;
  }

  private static String blasName(String info) {
    return switch (info) {
      case "open" -> "OpenBLAS";
      case "mkl" -> "MKL";
      case "accelerate" -> "Accelerate";
      default -> info;
    };
  }

  private static String find(String text, String regex, String fallback) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? m.group(1) : fallback;
  }

  private static Properties versions() {
    Properties p = new Properties();
    try (InputStream in = Environment.class.getResourceAsStream("/dev/sonus/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // Versions are informative; an unreadable resource leaves them "unknown".
    }
    return p;
  }

  private static String readCpuModel() {
    for (String line : cpuinfo()) {
      if (line.startsWith("model name")
          || line.startsWith("Model")
          || line.startsWith("Hardware")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          return line.substring(colon + 1).trim();
        }
      }
    }
    String fromEnv = System.getenv("PROCESSOR_IDENTIFIER");
    return fromEnv != null ? fromEnv : "unknown";
  }

  private static List<String> simdFlags() {
    Set<String> found = new TreeSet<>();
    for (String line : cpuinfo()) {
      if (line.startsWith("flags") || line.startsWith("Features")) {
        for (String f : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
          if (SIMD_FLAGS.contains(f)) {
            found.add(f);
          }
        }
        break;
      }
    }
    return new ArrayList<>(found);
  }

  private static List<String> cpuinfo() {
    Path p = Path.of("/proc/cpuinfo");
    try {
      return Files.isReadable(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Commit and dirty flag of the checkout holding the working directory or the code, via {@code
   * git}.
   */
  private static String[] git() {
    Path dir = checkoutRoot();
    if (dir == null) {
      return new String[] {null, null};
    }
    String commit = run(dir, "git", "rev-parse", "HEAD");
    if (commit == null || commit.isBlank()) {
      return new String[] {null, null};
    }
    String status = run(dir, "git", "status", "--porcelain", "--untracked-files=no");
    return new String[] {commit.trim(), status == null ? null : String.valueOf(!status.isBlank())};
  }

  private static Path checkoutRoot() {
    List<Path> starts = new ArrayList<>();
    try {
      var src = Environment.class.getProtectionDomain().getCodeSource();
      if (src != null) {
        starts.add(Path.of(src.getLocation().toURI()));
      }
    } catch (Exception e) {
      // fall through to the working directory
    }
    starts.add(Path.of("").toAbsolutePath());
    for (Path start : starts) {
      for (Path d = start.toAbsolutePath(); d != null; d = d.getParent()) {
        if (Files.exists(d.resolve(".git")) && Files.exists(d.resolve("sonus-core"))) {
          return d;
        }
      }
    }
    return null;
  }

  private static String run(Path dir, String... command) {
    try {
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return null;
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}

package dev.sonus.config;

/**
 * Reports a problem in a recipe: what is wrong, the value, and where it came from.
 *
 * <p>The message reads {@code recipe.yaml:12: key 'model.n_mel': unknown parameter for
 * dev.sonus.features.Fbank; did you mean n_mels? Known: sample_rate, n_fft, n_mels, ...}: file,
 * 1-based line (and column for YAML syntax errors), the dotted key, then the problem and the fix.
 * The parts are also available separately, for tools that point an editor at the line.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final int column;
  private final String key;
  private final String problem;

  /**
   * Creates an error at {@code file:line} for {@code key}.
   *
   * @param file the recipe (or another source such as {@code override --lr}); never null
   * @param line 1-based line, or 0 when unknown
   * @param key dotted key the problem belongs to, or null when it belongs to no key
   * @param problem what is wrong, naming the value, and the fix
   * @param cause the underlying exception, or null
   */
  public ConfigException(String file, int line, String key, String problem, Throwable cause) {
    this(file, line, 0, key, problem, cause);
  }

  ConfigException(Location where, String key, String problem) {
    this(where, key, problem, null);
  }

  ConfigException(Location where, String key, String problem, Throwable cause) {
    this(where.file(), where.line(), where.column(), key, problem, cause);
  }

  private ConfigException(
      String file, int line, int column, String key, String problem, Throwable cause) {
    super(format(file, line, column, key, problem), cause);
    this.file = file;
    this.line = line;
    this.column = column;
    this.key = key == null || key.isEmpty() ? null : key;
    this.problem = problem;
  }

  private static String format(String file, int line, int column, String key, String problem) {
    StringBuilder sb = new StringBuilder(file);
    if (line > 0) {
      sb.append(':').append(line);
      if (column > 0) {
        sb.append(':').append(column);
      }
    }
    sb.append(": ");
    if (key != null && !key.isEmpty()) {
      sb.append("key '").append(key).append("': ");
    }
    return sb.append(problem).toString();
  }

  /** The recipe file (or other source) the problem is in. */
  public String file() {
    return file;
  }

  /** 1-based line of the problem, or 0 when unknown. */
  public int line() {
    return line;
  }

  /** 1-based column, set for YAML syntax errors only; 0 otherwise. */
  public int column() {
    return column;
  }

  /** Dotted key the problem belongs to, such as {@code model.n_mels}, or null. */
  public String key() {
    return key;
  }

  /** The problem alone, without file, line and key. */
  public String problem() {
    return problem;
  }
}

package dev.sonus.datasets;

import java.util.Objects;

/**
 * One option a {@link DatasetPreparer} takes, as {@code sonus data prepare NAME --option KEY=VALUE}
 * passes it.
 *
 * @param key snake_case name, e.g. {@code valid_speakers}
 * @param defaultValue the value used when the option is not given, as text
 * @param description what it controls, with its unit or the accepted forms
 */
public record PreparerOption(String key, String defaultValue, String description) {
  /** Checks that every part is present and the key is snake_case. */
  public PreparerOption {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(defaultValue, "defaultValue");
    Objects.requireNonNull(description, "description");
    if (!key.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          "option key '" + key + "' is not snake_case (e.g. valid_speakers)");
    }
  }
}

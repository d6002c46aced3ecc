package dev.sonus.util;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Other names a recipe may use for an options-record component, written as in recipes ({@code
 * snake_case}): SpeechBrain's argument names where Sonus's carry a unit, e.g. {@code win_length}
 * for {@code winLengthMs}. The recipe binder accepts the component's own name and every alias;
 * giving two of them is an error.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
public @interface Alias {
  /** The other names, {@code snake_case}. */
  String[] value();
}

package dev.sonus.util;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public static method of Sonus that a recipe may call ({@code !apply:}) or name as a
 * factory ({@code !name:}): one whose effects are what a recipe is for (preparing manifests, making
 * an optimiser). Other static methods of Sonus — file writers among them — cannot be reached from a
 * recipe or a run folder; constructors and records' {@code defaults()} need no mark.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RecipeCallable {}

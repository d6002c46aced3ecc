/**
 * Corpus preparers: each reads one corpus as it sits on disk and writes SpeechBrain-style CSV
 * manifests ({@code ID, duration, wav, ...}, audio paths as {@code $data_root/<relative path>})
 * that {@link dev.sonus.data.Manifest} loads and {@link dev.sonus.data.DataCheck} checks.
 *
 * <p>{@link dev.sonus.datasets.Datasets} is the registry of names, {@code fsdd}, {@code an4},
 * {@code speech-commands}, {@code noizeus}; {@link dev.sonus.datasets.DatasetPreparer} is what each
 * one offers. Splits are deterministic (same folder and options, byte-identical manifests) and keep
 * speakers, or the unit the corpus names instead, on one side of every split. The package sits
 * below {@code data}: {@code data} never depends on it.
 */
package dev.sonus.datasets;

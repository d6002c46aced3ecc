/**
 * Using trained models: {@link dev.sonus.inference.Transcriber} loads a run folder (its recipe,
 * label files and best checkpoint) and transcribes audio files or samples.
 */
package dev.sonus.inference;

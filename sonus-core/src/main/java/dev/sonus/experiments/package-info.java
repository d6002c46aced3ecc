/**
 * Experiment definitions ({@link dev.sonus.train.Experiment}: datasets, model, objectives) used by
 * the recipes under {@code recipes/}.
 */
package dev.sonus.experiments;

/**
 * Learning-rate schedules: pure functions of the optimiser step ({@link
 * dev.sonus.train.schedule.LrSchedule}), and small serialisable state machines driven by a
 * validation metric at epoch ends ({@link dev.sonus.train.schedule.MetricSchedule}).
 *
 * <p>Step indexing, for every {@code LrSchedule}: {@code lr(step)} is the rate of the update taken
 * after {@code step} updates, so {@code lr(0)} is the first update's rate. This is how PyTorch's
 * {@code LambdaLR} (and so Hugging Face's schedules), fairseq's {@code num_updates} and
 * SpeechBrain's step counters count, and what {@code dev.sonus.train.Brain} passes; ESPnet counts
 * from 1 and so reaches each rate one update earlier. A warm-up from 0 gives 0 at step 0, as
 * Hugging Face's does.
 *
 * <table class="striped">
 *   <caption>Schedules and their counterparts</caption>
 *   <tr><th>class</th><th>shape</th><th>matches</th></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.ConstantSchedule}</td><td>constant</td><td>fairseq {@code fixed}</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.LinearWarmupSchedule}</td><td>linear up, linear down or hold</td>
 *       <td>HF {@code get_linear_schedule_with_warmup}, SpeechBrain {@code LinearWarmupScheduler}</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.InverseSqrtSchedule}</td><td>linear up, {@code 1/sqrt(step)} down</td>
 *       <td>fairseq {@code inverse_sqrt}</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.NoamScheduler}</td><td>the same, SpeechBrain's arguments</td>
 *       <td>SpeechBrain {@code NoamScheduler} (with {@code model_size})</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.TwoPhaseWarmupSchedule}</td><td>two linear warm-ups, then decay</td>
 *       <td>ESPnet {@code PiecewiseLinearWarmupLR} (OWSM)</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.ExponentialWarmupSchedule}</td><td>exponential warm-up</td><td>-</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.PowerWarmupSchedule}</td><td>{@code (step/T)^p} warm-up</td><td>-</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.CosineSchedule}</td><td>linear up, cosine down</td>
 *       <td>HF {@code get_cosine_schedule_with_warmup}, PyTorch {@code CosineAnnealingLR}</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.TriStageSchedule}</td><td>warm-up, hold, exponential decay</td>
 *       <td>fairseq {@code tri_stage}</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.StepDecaySchedule}</td><td>drops by gamma</td>
 *       <td>PyTorch {@code StepLR}, {@code MultiStepLR}</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.NewBobScheduler}</td><td>metric-driven</td>
 *       <td>SpeechBrain {@code NewBobScheduler}</td></tr>
 *   <tr><td>{@link dev.sonus.train.schedule.ReduceLrOnPlateau}</td><td>metric-driven</td>
 *       <td>PyTorch {@code ReduceLROnPlateau}</td></tr>
 * </table>
 *
 * <p>Recipes build them with {@code !new:train.schedule.<Class>} and snake_case keys; schedules
 * with optional settings take an {@code Options} record whose {@code defaults()} leaves the
 * required ones null, so a recipe gives any subset and a missing required key fails with its name
 * and an example. See {@code sonus lr-plot} to draw a recipe's schedule.
 */
package dev.sonus.train.schedule;

/**
 * Recipes: HyperPyYAML files (SpeechBrain's hyperparameter format) loaded into built objects, with
 * overrides from the command line and error messages that name the file, line and key.
 *
 * <p>Entry points: {@link dev.sonus.config.HyperYaml#load}, {@link
 * dev.sonus.config.Overrides#parse}, {@link dev.sonus.config.Hparams}, {@link
 * dev.sonus.config.Factory}, {@link dev.sonus.config.ConfigException}.
 *
 * <p>Where Sonus differs from HyperPyYAML 1.2 (deliberately):
 *
 * <ul>
 *   <li>{@code <a.b>} in a reference is the key {@code b} under {@code a} (HyperPyYAML reads it as
 *       the attribute {@code b} of the object {@code a}); {@code <a[b]>} works too, and list items
 *       are numbered.
 *   <li>Overrides must name existing keys at every depth (HyperPyYAML checks only the top level),
 *       except new keyword arguments of a {@code !new:}/{@code !name:}/{@code !apply:} that the
 *       class accepts, and keys written {@code +key} to add one on purpose. Overrides under an
 *       {@code !include:} are checked too.
 *   <li>References may point forward and through other references; cycles are errors naming the
 *       chain.
 *   <li>A string that only looks like a reference ({@code c: <a>} without {@code !ref}) stays a
 *       string.
 *   <li>Arithmetic supports unary minus ({@code !ref -<a> * 2}); HyperPyYAML leaves such text a
 *       string.
 *   <li>A plain mapping overriding a tagged mapping ({@code --model={n_mels: 80}}) merges into its
 *       arguments; a tagged value ({@code --model=!new:X {...}}) replaces it.
 *   <li>{@code !copy} copies everything under the key, objects referenced from inside included.
 *   <li>Plain scalars follow YAML 1.2 as ruamel.yaml does ({@code yes} is a string, {@code 1e-5}
 *       and {@code 1.e-8} are floats); duplicate keys are errors.
 *   <li>Overloads: among constructors or methods that fit, the one needing the fewest conversions
 *       wins ({@code !apply:java.lang.Math.max [3, 4]} is 4, an int). A record with {@code
 *       defaults()} can be built from some of its components ({@code !new:features.Fbank.Options
 *       {n_mels: 80}}).
 *   <li>Not supported: {@code !module:} (Java has no module objects), {@code !applyref:} (a {@code
 *       !ref} to an {@code !apply:} key already shares its result), and Python-only tags such as
 *       {@code !!python/tuple}.
 * </ul>
 */
package dev.sonus.config;

package dev.sonus.train.schedule;

import static dev.sonus.train.schedule.Approx.lr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.config.ConfigException;
import dev.sonus.config.Hparams;
import dev.sonus.config.HyperYaml;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every schedule builds from a recipe with snake_case keys, and a bad one fails naming the key. */
class RecipeBindingTest {

  private static Object build(String yaml) {
    Hparams hp = HyperYaml.load(yaml, "recipe.yaml", Map.of());
    return hp.get("lr_annealing");
  }

  @Test
  void everyScheduleBuildsFromARecipe() {
    Hparams hp =
        HyperYaml.load(
            """
        lr: 0.001
        constant: !new:train.schedule.ConstantSchedule {lr: !ref <lr>}
        linear: !new:train.schedule.LinearWarmupSchedule {peak_lr: !ref <lr>, warmup_steps: 100, total_steps: 1000}
        hold: !new:train.schedule.LinearWarmupSchedule {peak_lr: !ref <lr>, warmup_steps: 100}
        inverse_sqrt: !new:train.schedule.InverseSqrtSchedule {peak_lr: !ref <lr>, warmup_steps: 100}
        noam: !new:train.schedule.NoamScheduler {lr_initial: 1.0, n_warmup_steps: 25000, model_size: 256}
        noam_plain: !new:train.schedule.NoamScheduler {lr_initial: !ref <lr>, n_warmup_steps: 100}
        two_phase: !new:train.schedule.TwoPhaseWarmupSchedule
          first_warmup_steps: 30000
          first_warmup_lr: 5.0e-5
          second_warmup_steps: 30000
          peak_lr: 2.0e-4
        exponential: !new:train.schedule.ExponentialWarmupSchedule
          start_lr: 1.0e-7
          peak_lr: !ref <lr>
          warmup_steps: 100
          decay: cosine
          total_steps: 1000
        power: !new:train.schedule.PowerWarmupSchedule {peak_lr: !ref <lr>, warmup_steps: 100, power: 3,
          decay: inverse_sqrt}
        cosine: !new:train.schedule.CosineSchedule {peak_lr: !ref <lr>, warmup_steps: 100, total_steps: 1000,
          min_lr: 1.0e-5}
        tri_stage: !new:train.schedule.TriStageSchedule {peak_lr: !ref <lr>, phase_ratio: [0.1, 0.4, 0.5],
          max_update: 1000}
        step: !new:train.schedule.StepDecaySchedule {initial_lr: 0.1, milestones: [300, 600]}
        new_bob: !new:train.schedule.NewBobScheduler
          initial_value: !ref <lr>
          improvement_threshold: 0.0025
          annealing_factor: 0.8
          patient: 0
        plateau: !new:train.schedule.ReduceLrOnPlateau {initial_lr: !ref <lr>, mode: max, factor: 0.5,
          threshold_mode: abs}
        """,
            "recipe.yaml",
            Map.of());
    lr(1e-3, hp.get("constant", LrSchedule.class), 5);
    lr(1e-3, hp.get("linear", LrSchedule.class), 100);
    lr(1e-3, hp.get("hold", LrSchedule.class), 10_000);
    lr(5e-4, hp.get("inverse_sqrt", LrSchedule.class), 400);
    lr(1.0 / Math.sqrt(256 * 25000.0), hp.get("noam", LrSchedule.class), 25000);
    lr(1e-3, hp.get("noam_plain", LrSchedule.class), 100);
    lr(5e-5, hp.get("two_phase", LrSchedule.class), 30000);
    assertEquals(100, hp.get("exponential", LrSchedule.class).warmupSteps());
    lr(1e-3 * 0.125, hp.get("power", LrSchedule.class), 50);
    lr(1e-5, hp.get("cosine", LrSchedule.class), 1000);
    assertEquals(100, hp.get("tri_stage", LrSchedule.class).warmupSteps());
    lr(0.001, hp.get("step", LrSchedule.class), 600);
    NewBobScheduler newBob = hp.get("new_bob", NewBobScheduler.class);
    assertTrue(newBob.toString().contains("annealing_factor=0.8"), newBob.toString());
    ReduceLrOnPlateau plateau = hp.get("plateau", ReduceLrOnPlateau.class);
    assertEquals(
        "ReduceLrOnPlateau(initial_lr=0.001, mode=max, factor=0.5, patience=10, threshold=1e-4, "
            + "threshold_mode=abs, cooldown=0, min_lr=0)",
        plateau.toString());
  }

  @Test
  void missingRequiredKeyFailsWithItsNameAndLine() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                build(
                    """
        lr_annealing: !new:train.schedule.CosineSchedule {peak_lr: 0.001, warmup_steps: 100}
        """));
    assertTrue(e.getMessage().contains("recipe.yaml:1"), e.getMessage());
    assertTrue(
        e.getMessage().contains("total_steps is not set; give it, e.g. total_steps: 100000"),
        e.getMessage());
  }

  @Test
  void misspelledKeySuggestsTheRightOne() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                build(
                    """
        lr_annealing: !new:train.schedule.CosineSchedule {peak_lr: 0.001, warmup_step: 100, total_steps: 10}
        """));
    assertTrue(e.getMessage().contains("did you mean warmup_steps?"), e.getMessage());
  }

  @Test
  void badValueFailsWithTheValueAndTheFix() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                build(
                    """
        lr_annealing: !new:train.schedule.LinearWarmupSchedule {peak_lr: 0.001, warmup_steps: -5}
        """));
    assertTrue(e.getMessage().contains("warmup_steps is -5; it must be >= 0"), e.getMessage());
    assertInstanceOf(IllegalArgumentException.class, e.getCause());
  }

  @Test
  void unknownDecayListsTheChoices() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                build(
                    """
        lr_annealing: !new:train.schedule.PowerWarmupSchedule {peak_lr: 0.001, warmup_steps: 10, decay: exp}
        """));
    assertTrue(e.getMessage().contains("inverse_sqrt"), e.getMessage());
  }

  @Test
  void overridesReachScheduleKeys() {
    Hparams hp =
        HyperYaml.load(
            """
        lr_annealing: !new:train.schedule.CosineSchedule {peak_lr: 0.001, warmup_steps: 100, total_steps: 1000}
        """,
            "recipe.yaml",
            Map.of("lr_annealing.warmup_steps", "10"));
    assertEquals(10, hp.get("lr_annealing", LrSchedule.class).warmupSteps());
  }
}

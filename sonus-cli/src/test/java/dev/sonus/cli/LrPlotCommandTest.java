package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LrPlotCommandTest {
  @TempDir Path dir;

  record Result(int status, String out, String err) {}

  /** Runs the command on its own (as Main would, with Main's one-line error report). */
  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new LrPlotCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("sonus: error: " + ex.getMessage());
          commandLine.getErr().flush();
          return 1;
        });
    int status = cl.execute(args);
    return new Result(status, out.toString(), err.toString());
  }

  private Path recipe(String yaml) throws Exception {
    Path p = dir.resolve("recipe.yaml");
    Files.writeString(p, yaml);
    return p;
  }

  @Test
  void cosineScheduleIsDrawnToAPngOfTheRequestedSize() throws Exception {
    Path r =
        recipe(
            """
        lr: 0.001
        lr_annealing: !new:train.schedule.CosineSchedule
          peak_lr: !ref <lr>
          warmup_steps: 100
          total_steps: 1000
          min_lr: 1.0e-5
        """);
    Path png = dir.resolve("plots/lr.png");
    Result res =
        run(
            r.toString(),
            "--steps",
            "1000",
            "--out",
            png.toString(),
            "--width",
            "800",
            "--height",
            "500");
    assertEquals(0, res.status(), res.err());
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, "ImageIO cannot read " + png);
    assertEquals(800, image.getWidth());
    assertEquals(500, image.getHeight());
    assertTrue(res.out().contains("wrote " + png + " (800x500)"), res.out());
    assertTrue(
        res.out()
            .contains(
                "lr_annealing = CosineSchedule(peak_lr=0.001, warmup_steps=100, "
                    + "total_steps=1000, min_lr=1e-5)"),
        res.out());
    assertTrue(res.out().contains("step 0            lr 0\n"), res.out());
    assertTrue(res.out().contains("step 100          lr 1.0000e-03  (end of warm-up)"), res.out());
    assertTrue(res.out().contains("step 1000         lr 1.0000e-05"), res.out());
    assertTrue(res.out().contains("peak lr 1.0000e-03 at step 100"), res.out());
  }

  @Test
  void defaultSizeAndOverridesApply() throws Exception {
    Path r =
        recipe(
            """
        lr_annealing: !new:train.schedule.CosineSchedule {peak_lr: 0.001, warmup_steps: 100, total_steps: 1000}
        """);
    Path png = dir.resolve("lr.png");
    Result res =
        run(r.toString(), "--steps=2000", "--out=" + png, "--lr_annealing.warmup_steps=50");
    assertEquals(0, res.status(), res.err());
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(1000, image.getWidth());
    assertEquals(600, image.getHeight());
    assertTrue(res.out().contains("peak lr 1.0000e-03 at step 50"), res.out());
  }

  @Test
  void fallsBackToLrScheduleKey() throws Exception {
    Path r =
        recipe(
            """
        lr_schedule: !new:train.schedule.StepDecaySchedule {initial_lr: 0.1, gamma: 0.5, step_size: 10}
        """);
    Result res = run(r.toString(), "--steps", "30", "--out", dir.resolve("s.png").toString());
    assertEquals(0, res.status(), res.err());
    assertTrue(res.out().contains("lr_schedule = StepDecaySchedule("), res.out());
    assertTrue(res.out().contains("step 30           lr 1.2500e-02"), res.out());
  }

  @Test
  void missingKeyListsTheKeysHoldingSchedules() throws Exception {
    Path r =
        recipe(
            """
        noam: !new:train.schedule.InverseSqrtSchedule {peak_lr: 0.001, warmup_steps: 100}
        warm: !new:train.schedule.LinearWarmupSchedule {peak_lr: 0.001, warmup_steps: 100}
        plateau: !new:train.schedule.ReduceLrOnPlateau {initial_lr: 0.001}
        epochs: 10
        """);
    Path png = dir.resolve("none.png");
    Result res = run(r.toString(), "--steps", "100", "--out", png.toString());
    assertEquals(1, res.status());
    assertTrue(
        res.err().contains("no lr_annealing, lr_schedule or scheduler key in " + r), res.err());
    assertTrue(
        res.err()
            .contains(
                "keys holding step schedules: noam, warm (metric-driven, not plottable: "
                    + "plateau); name the schedule with --key"),
        res.err());
    assertFalse(Files.exists(png));
  }

  @Test
  void unknownKeyGivenWithKeyListsCandidates() throws Exception {
    Path r =
        recipe(
            """
        noam: !new:train.schedule.InverseSqrtSchedule {peak_lr: 0.001, warmup_steps: 100}
        """);
    Result res =
        run(
            r.toString(),
            "--steps",
            "100",
            "--out",
            dir.resolve("x.png").toString(),
            "--key",
            "nom");
    assertEquals(1, res.status());
    assertTrue(
        res.err().contains("no key 'nom' in " + r + "; keys holding step schedules: noam"),
        res.err());
  }

  @Test
  void metricDrivenScheduleCannotBePlotted() throws Exception {
    Path r =
        recipe(
            """
        lr_annealing: !new:train.schedule.NewBobScheduler {initial_value: 1.0}
        """);
    Result res = run(r.toString(), "--steps", "100", "--out", dir.resolve("nb.png").toString());
    assertEquals(1, res.status());
    assertTrue(
        res.err()
            .contains(
                "lr_annealing is NewBobScheduler(initial_value=1, annealing_factor=0.5, "
                    + "improvement_threshold=0.0025, patient=0), which sets the learning rate from a validation metric at "
                    + "each epoch end: it cannot be plotted from steps alone"),
        res.err());
  }

  @Test
  void keyHoldingSomethingElseIsRefused() throws Exception {
    Path r =
        recipe(
            """
        lr_annealing: 0.001
        """);
    Result res = run(r.toString(), "--steps", "100", "--out", dir.resolve("n.png").toString());
    assertEquals(1, res.status());
    assertTrue(
        res.err().contains("lr_annealing holds Double 0.001, not a learning-rate schedule"),
        res.err());
  }

  @Test
  void rejectsZeroSteps() throws Exception {
    Path r =
        recipe(
            """
        lr_annealing: !new:train.schedule.ConstantSchedule {lr: 0.001}
        """);
    Result res = run(r.toString(), "--steps", "0", "--out", dir.resolve("z.png").toString());
    assertEquals(2, res.status(), "an option out of range is a usage error");
    assertTrue(res.err().contains("--steps is 0; it must be in 1..1000000000"), res.err());
  }
}

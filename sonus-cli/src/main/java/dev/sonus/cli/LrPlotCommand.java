package dev.sonus.cli;

import dev.sonus.config.Factory;
import dev.sonus.config.Hparams;
import dev.sonus.config.HyperYaml;
import dev.sonus.train.schedule.LrSchedule;
import dev.sonus.train.schedule.MetricSchedule;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code sonus lr-plot}: draws a recipe's learning-rate schedule over steps {@code 0..N} as a PNG,
 * and prints a few of its values.
 */
@Command(
    name = "lr-plot",
    description = {
      "Plot a recipe's learning-rate schedule (a train.schedule step "
          + "schedule) over optimiser steps 0..N as a PNG, and print its values at step 0, the end of warm-up and N.",
      "The schedule is the recipe's lr_annealing key (else lr_schedule, else scheduler) unless --key names "
          + "another. Overrides: --key=value or --a.b=value (values are YAML: --lr_annealing.warmup_steps=500)."
    })
final class LrPlotCommand implements Callable<Integer> {
  /** Keys tried in order when {@code --key} is not given: SpeechBrain's usual name first. */
  static final List<String> DEFAULT_KEYS = List.of("lr_annealing", "lr_schedule", "scheduler");

  /**
   * Largest N: every step is evaluated (a few seconds for a billion), so no peak or drop is missed.
   */
  static final long MAX_STEPS = 1_000_000_000L;

  private static final Color CURVE = new Color(0x1f, 0x77, 0xb4);
  private static final Color PEAK = new Color(0xd6, 0x27, 0x28);
  private static final Color GRID = new Color(0xe4, 0xe4, 0xe4);
  private static final Color TEXT = new Color(0x22, 0x22, 0x22);

  // Layout, px: room for y tick labels on the left, two title lines on top, x labels below.
  private static final int LEFT = 96;
  private static final int RIGHT = 32;
  private static final int TOP = 78;
  private static final int BOTTOM = 62;

  @Parameters(index = "0", paramLabel = "RECIPE.yaml", description = "the recipe")
  Path recipe;

  @Option(
      names = "--steps",
      required = true,
      paramLabel = "N",
      description =
          "last step to plot (steps are " + "the optimiser updates already taken, from 0)")
  long steps;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE.png",
      description = "the PNG to write")
  Path out;

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description =
          "recipe key of the schedule (dotted for a nested "
              + "one); default: the first of lr_annealing, lr_schedule, scheduler")
  String key;

  @Option(
      names = "--width",
      defaultValue = "1000",
      paramLabel = "PX",
      description = "image width " + "(default: ${DEFAULT-VALUE})")
  int width;

  @Option(
      names = "--height",
      defaultValue = "600",
      paramLabel = "PX",
      description = "image height " + "(default: ${DEFAULT-VALUE})")
  int height;

  @Unmatched List<String> overrides = new ArrayList<>();

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // draws into an image; never needs a display
    }
    java.util.Map<String, String> given = RecipeOverrides.parse(overrides, spec);
    OptionChecks.longIn(spec, "--steps", steps, 1, MAX_STEPS, "the plot evaluates every step 0..N");
    OptionChecks.intIn(spec, "--width", width, 200, 10_000, "image width in px");
    OptionChecks.intIn(spec, "--height", height, 150, 10_000, "image height in px");
    if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new IllegalArgumentException(
          "--out " + out + " does not end in .png; lr-plot writes PNG images");
    }
    Hparams hp = HyperYaml.load(recipe, given, trust.recipe());
    String chosen = chooseKey(hp);
    LrSchedule schedule = asSchedule(hp, chosen);

    Curve curve = Curve.trace(schedule, steps, plotWidth());
    BufferedImage image = draw(schedule, curve, chosen);
    Png.write(image, out);

    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "wrote %s (%dx%d)%n", out, width, height);
    o.printf(Locale.ROOT, "%s = %s%n", chosen, schedule);
    long warmupEnd = schedule.warmupSteps();
    o.printf(Locale.ROOT, "  step %-12d lr %s%n", 0L, lr(schedule.lr(0)));
    if (warmupEnd > 0 && warmupEnd < steps) {
      o.printf(
          Locale.ROOT,
          "  step %-12d lr %s  (end of warm-up)%n",
          warmupEnd,
          lr(schedule.lr(warmupEnd)));
    }
    o.printf(Locale.ROOT, "  step %-12d lr %s%n", steps, lr(schedule.lr(steps)));
    o.printf(Locale.ROOT, "  peak lr %s at step %d%n", lr(curve.peak), curve.peakStep);
    o.flush();
    return 0;
  }

  private String chooseKey(Hparams hp) {
    if (key != null) {
      if (!hp.contains(key)) {
        throw new IllegalArgumentException(
            "no key '" + key + "' in " + recipe + "; " + candidates(hp));
      }
      return key;
    }
    for (String k : DEFAULT_KEYS) {
      if (hp.contains(k)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "no "
            + String.join(", ", DEFAULT_KEYS.subList(0, DEFAULT_KEYS.size() - 1))
            + " or "
            + DEFAULT_KEYS.get(DEFAULT_KEYS.size() - 1)
            + " key in "
            + recipe
            + "; "
            + candidates(hp)
            + "; name the schedule with --key");
  }

  private LrSchedule asSchedule(Hparams hp, String k) {
    Object value = hp.get(k);
    if (value instanceof Factory factory) {
      value = factory.create();
    }
    if (value instanceof MetricSchedule metric) {
      throw new IllegalArgumentException(
          k
              + " is "
              + metric
              + ", which sets the learning rate from a validation "
              + "metric at each epoch end: it cannot be plotted from steps alone. Plot a step schedule instead; "
              + candidates(hp));
    }
    if (value instanceof LrSchedule schedule) {
      return schedule;
    }
    String what =
        value == null
            ? "null"
            : value instanceof String s
                ? "the string '" + s + "'"
                : value.getClass().getSimpleName() + " " + value;
    throw new IllegalArgumentException(
        k
            + " holds "
            + what
            + ", not a learning-rate schedule (a train.schedule "
            + "step schedule); "
            + candidates(hp));
  }

  /** The keys whose values are schedules, for error messages. */
  private static String candidates(Hparams hp) {
    List<String> stepKeys = new ArrayList<>();
    List<String> metric = new ArrayList<>();
    collect("", hp.asMap(), stepKeys, metric);
    if (stepKeys.isEmpty() && metric.isEmpty()) {
      return "no key of this recipe holds a learning-rate schedule (e.g. lr_annealing: "
          + "!new:train.schedule.CosineSchedule {peak_lr: 0.001, warmup_steps: 1000, total_steps: 100000})";
    }
    String text =
        stepKeys.isEmpty()
            ? "no key holds a step schedule"
            : "keys holding step schedules: " + String.join(", ", stepKeys);
    return metric.isEmpty()
        ? text
        : text + " (metric-driven, not plottable: " + String.join(", ", metric) + ")";
  }

  private static void collect(
      String prefix, Map<?, ?> map, List<String> stepKeys, List<String> metric) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String k = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
      Object v = e.getValue();
      if (v instanceof LrSchedule) {
        stepKeys.add(k);
      } else if (v instanceof MetricSchedule) {
        metric.add(k);
      } else if (v instanceof Map<?, ?> nested) {
        collect(k, nested, stepKeys, metric);
      }
    }
  }

  private int plotWidth() {
    return width - LEFT - RIGHT;
  }

  private int plotHeight() {
    return height - TOP - BOTTOM;
  }

  /**
   * The schedule's values per pixel column: every step is evaluated (so no peak or drop is missed,
   * whatever N), keeping per column the first, last, lowest and highest rate.
   */
  static final class Curve {
    final long lastStep;
    final int columns;
    final double[] first;
    final double[] last;
    final double[] low;
    final double[] high;
    final boolean[] used;
    double peak = Double.NEGATIVE_INFINITY;
    long peakStep;

    private Curve(long lastStep, int columns) {
      this.lastStep = lastStep;
      this.columns = columns;
      first = new double[columns];
      last = new double[columns];
      low = new double[columns];
      high = new double[columns];
      used = new boolean[columns];
    }

    static Curve trace(LrSchedule schedule, long lastStep, int columns) {
      Curve c = new Curve(lastStep, columns);
      for (long s = 0; s <= lastStep; s++) {
        double v = schedule.lr(s);
        if (!Double.isFinite(v)) {
          throw new IllegalStateException(
              schedule + " gives " + v + " at step " + s + "; a learning rate must be " + "finite");
        }
        if (v > c.peak) {
          c.peak = v;
          c.peakStep = s;
        }
        int col = c.column(s);
        if (!c.used[col]) {
          c.used[col] = true;
          c.first[col] = v;
          c.low[col] = v;
          c.high[col] = v;
        }
        c.last[col] = v;
        c.low[col] = Math.min(c.low[col], v);
        c.high[col] = Math.max(c.high[col], v);
      }
      return c;
    }

    int column(long step) {
      return (int) Math.round((double) step / lastStep * (columns - 1));
    }
  }

  private BufferedImage draw(LrSchedule schedule, Curve curve, String chosen) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      int pw = plotWidth();
      int ph = plotHeight();
      double yStep = niceStep(curve.peak > 0 ? curve.peak / 5 : 0.2);
      double yTop = Math.max(yStep, Math.ceil(curve.peak / yStep * (1 - 1e-9)) * yStep);
      if (yTop < curve.peak * 1.02) {
        yTop += yStep;
      }
      boolean scientific = yTop < 1e-2 || yTop >= 1e4;
      Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
      Font bold = new Font(Font.SANS_SERIF, Font.BOLD, 14);

      // y grid and tick labels
      g.setFont(small);
      FontMetrics fm = g.getFontMetrics();
      for (int i = 0; i * yStep <= yTop * (1 + 1e-9); i++) {
        double v = i * yStep;
        int y = TOP + ph - (int) Math.round(v / yTop * ph);
        g.setColor(GRID);
        g.drawLine(LEFT, y, LEFT + pw, y);
        g.setColor(TEXT);
        String label = axisLabel(v, scientific);
        g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
      }
      // x grid and tick labels
      long xStep = Math.max(1, (long) niceStep(curve.lastStep / 8.0));
      for (long s = 0; s <= curve.lastStep; s += xStep) {
        int x = LEFT + (int) Math.round((double) s / curve.lastStep * (pw - 1));
        g.setColor(GRID);
        g.drawLine(x, TOP, x, TOP + ph);
        g.setColor(TEXT);
        String label = stepLabel(s, xStep);
        g.drawString(label, x - fm.stringWidth(label) / 2, TOP + ph + 6 + fm.getAscent());
      }
      // axes and their titles
      g.setColor(TEXT);
      g.drawLine(LEFT, TOP, LEFT, TOP + ph);
      g.drawLine(LEFT, TOP + ph, LEFT + pw, TOP + ph);
      String xTitle = "optimiser step";
      g.drawString(xTitle, LEFT + (pw - fm.stringWidth(xTitle)) / 2, height - 14);
      String yTitle = "learning rate";
      AffineTransform saved = g.getTransform();
      g.rotate(-Math.PI / 2);
      g.drawString(yTitle, -(TOP + (ph + fm.stringWidth(yTitle)) / 2), 18);
      g.setTransform(saved);

      // end of warm-up
      long warmupEnd = schedule.warmupSteps();
      if (warmupEnd > 0 && warmupEnd < curve.lastStep) {
        int x = LEFT + (int) Math.round((double) warmupEnd / curve.lastStep * (pw - 1));
        g.setColor(Color.GRAY);
        g.setStroke(
            new BasicStroke(
                1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
        g.drawLine(x, TOP, x, TOP + ph);
        String label = "warm-up end";
        g.drawString(label, x + 4, TOP + 14);
      }

      // the curve: a line through the columns, with each column's full range drawn where many steps
      // share it
      Path2D.Double path = new Path2D.Double();
      boolean started = false;
      for (int c = 0; c < curve.columns; c++) {
        if (!curve.used[c]) {
          continue;
        }
        double x = LEFT + c;
        double yFirst = TOP + ph - curve.first[c] / yTop * ph;
        if (!started) {
          path.moveTo(x, yFirst);
          started = true;
        } else {
          path.lineTo(x, yFirst);
        }
        if (curve.high[c] != curve.low[c]) {
          path.lineTo(x, TOP + ph - curve.high[c] / yTop * ph);
          path.lineTo(x, TOP + ph - curve.low[c] / yTop * ph);
        }
        path.lineTo(x, TOP + ph - curve.last[c] / yTop * ph);
      }
      g.setColor(CURVE);
      g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      g.draw(path);

      // the peak
      int px = LEFT + curve.column(curve.peakStep);
      int py = TOP + ph - (int) Math.round(curve.peak / yTop * ph);
      g.setColor(PEAK);
      g.fillOval(px - 4, py - 4, 9, 9);
      String peakLabel = "peak " + lr(curve.peak) + " @ " + curve.peakStep;
      int lx =
          px + 8 + fm.stringWidth(peakLabel) > LEFT + pw
              ? px - 8 - fm.stringWidth(peakLabel)
              : px + 8;
      g.drawString(peakLabel, lx, Math.max(TOP + fm.getAscent(), py - 6));

      // title: the schedule, then the peak and the range
      g.setColor(TEXT);
      g.setFont(bold);
      FontMetrics tm = g.getFontMetrics();
      List<String> lines = wrap(chosen + " = " + schedule, tm, width - 24);
      int y = 22;
      for (String line : lines.subList(0, Math.min(2, lines.size()))) {
        g.drawString(line, 12, y);
        y += tm.getHeight();
      }
      g.setFont(small);
      g.drawString(
          "peak lr "
              + lr(curve.peak)
              + " at step "
              + curve.peakStep
              + "   ·   steps 0.."
              + curve.lastStep,
          12,
          y + 2);
    } finally {
      g.dispose();
    }
    return image;
  }

  /** Splits text at ", " so that each line fits {@code maxWidth}. */
  private static List<String> wrap(String text, FontMetrics fm, int maxWidth) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String part : text.split("(?<=, )")) {
      if (line.length() > 0 && fm.stringWidth(line + part) > maxWidth) {
        lines.add(line.toString().stripTrailing());
        line.setLength(0);
        line.append("    ");
      }
      line.append(part);
    }
    lines.add(line.toString());
    return lines;
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double r = raw / magnitude;
    double nice = r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10;
    return nice * magnitude;
  }

  /** A y tick label: {@code 2.0e-04} when small, else plain ({@code 0.05}); 0 is {@code 0}. */
  static String axisLabel(double v, boolean scientific) {
    if (v == 0) {
      return "0";
    }
    if (scientific) {
      return String.format(Locale.ROOT, "%.1e", v);
    }
    return new BigDecimal(String.format(Locale.ROOT, "%.6f", v))
        .stripTrailingZeros()
        .toPlainString();
  }

  /**
   * An x tick label: {@code 250}, {@code 20k}, {@code 1.5M} (the same suffix on every tick of an
   * axis).
   */
  static String stepLabel(long step, long tickStep) {
    if (step != 0 && tickStep % 500_000 == 0) {
      return BigDecimal.valueOf(step, 6).stripTrailingZeros().toPlainString() + "M";
    }
    if (step != 0 && tickStep % 1000 == 0) {
      return BigDecimal.valueOf(step, 3).stripTrailingZeros().toPlainString() + "k";
    }
    return Long.toString(step);
  }

  /** A learning rate for text: {@code 0} or {@code 1.0000e-03}. */
  static String lr(double v) {
    return v == 0 ? "0" : String.format(Locale.ROOT, "%.4e", v);
  }
}

package dev.sonus.cli;

import dev.sonus.inference.Robustness;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The picture of {@code sonus eval --corrupt}: the metric per test condition, as bars. */
final class RobustnessPlot {
  private static final int WIDTH = 720;
  private static final int HEIGHT = 420;

  private RobustnessPlot() {}

  static BufferedImage draw(
      List<Robustness.Condition> conditions, List<Map<String, Double>> metrics, String metric) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int left = 60;
    int right = WIDTH - 20;
    int top = 40;
    int bottom = HEIGHT - 60;
    double max = 0;
    for (Map<String, Double> m : metrics) {
      Double v = m.get(metric);
      if (v != null && Double.isFinite(v)) {
        max = Math.max(max, v);
      }
    }
    max = max <= 0 ? 1 : max * 1.15;
    g.setColor(Color.BLACK);
    g.drawString(metric + " per test condition", left, 20);
    g.setStroke(new BasicStroke(1f));
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, top, left, bottom);
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4;
      int y = bottom - (int) ((bottom - top) * i / 4.0);
      g.setColor(new Color(220, 220, 220));
      g.drawLine(left + 1, y, right, y);
      g.setColor(Color.BLACK);
      g.drawString(String.format(Locale.ROOT, "%.1f", v), 8, y + 4);
    }
    int n = conditions.size();
    double slot = (right - left) / (double) Math.max(1, n);
    for (int i = 0; i < n; i++) {
      Double v = metrics.get(i).get(metric);
      int x = left + (int) (slot * i + slot * 0.15);
      int w = (int) (slot * 0.7);
      if (v != null && Double.isFinite(v)) {
        int h = (int) ((bottom - top) * v / max);
        g.setColor(i == 0 ? new Color(60, 140, 60) : new Color(60, 90, 170));
        g.fillRect(x, bottom - h, w, h);
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, "%.2f", v), x, bottom - h - 4);
      }
      g.setColor(Color.BLACK);
      g.drawString(conditions.get(i).name(), x, bottom + 16);
    }
    g.dispose();
    return img;
  }
}

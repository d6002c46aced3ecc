package dev.sonus.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** Log-mel spectrograms drawn one above the other, for {@code sonus augment}. */
final class SpectrogramPicture {
  private static final int ROW_HEIGHT = 160;
  private static final int LABEL = 18;

  private SpectrogramPicture() {}

  /**
   * One panel per feature matrix {@code [frames][mels]}, low frequencies at the bottom, on one
   * shared colour scale (the panels' common maximum down to 80 dB below it).
   *
   * @param first label of the first panel
   * @param others label of the others (numbered when there are several)
   */
  static BufferedImage draw(List<float[][]> panels, String first, String others) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    int width = 0;
    float max = Float.NEGATIVE_INFINITY;
    for (float[][] p : panels) {
      width = Math.max(width, p.length);
      for (float[] row : p) {
        for (float v : row) {
          if (Float.isFinite(v)) {
            max = Math.max(max, v);
          }
        }
      }
    }
    width = Math.max(width, 64);
    float min = max - 80;
    int height = panels.size() * (ROW_HEIGHT + LABEL);
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int p = 0; p < panels.size(); p++) {
      float[][] m = panels.get(p);
      int top = p * (ROW_HEIGHT + LABEL);
      g.setColor(Color.BLACK);
      String label = p == 0 ? first : panels.size() > 2 ? others + " " + p : others;
      g.drawString(label, 4, top + 13);
      int mels = m.length == 0 ? 1 : m[0].length;
      for (int x = 0; x < m.length; x++) {
        for (int y = 0; y < ROW_HEIGHT; y++) {
          int mel = Math.min(mels - 1, (ROW_HEIGHT - 1 - y) * mels / ROW_HEIGHT);
          float v = m[x][mel];
          float t = Float.isFinite(v) ? Math.max(0, Math.min(1, (v - min) / (max - min))) : 0;
          img.setRGB(x, top + LABEL + y, colour(t));
        }
      }
    }
    g.dispose();
    return img;
  }

  /** A dark-blue to yellow ramp. */
  private static int colour(float t) {
    int r = (int) (255 * Math.min(1, Math.max(0, 1.5f * t - 0.3f)));
    int gr = (int) (255 * Math.min(1, Math.max(0, 1.2f * t)));
    int b =
        (int) (255 * Math.max(0, Math.min(1, 0.6f - 0.6f * t + 0.3f * (1 - Math.abs(2 * t - 1)))));
    return (r << 16) | (gr << 8) | b;
  }
}

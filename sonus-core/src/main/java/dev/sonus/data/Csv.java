package dev.sonus.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV parsing with Python's {@code skipinitialspace=True}: quoted fields, doubled quotes,
 * CRLF.
 */
final class Csv {
  private Csv() {}

  /**
   * Appends each record and the 1-based line it starts on.
   *
   * @throws IllegalArgumentException naming the file and line of an unterminated quoted field, or
   *     of a record with more than {@code maxFields} fields
   */
  static void parse(
      Path path, String text, List<List<String>> records, List<Integer> lines, int maxFields) {
    int i = 0;
    int line = 1;
    int n = text.length();
    if (n > 0 && text.charAt(0) == '\uFEFF') {
      i = 1; // byte-order mark
    }
    while (i < n) {
      List<String> rec = new ArrayList<>();
      lines.add(line);
      boolean endOfRecord = false;
      while (!endOfRecord) {
        while (i < n && text.charAt(i) == ' ') {
          i++;
        }
        StringBuilder field = new StringBuilder();
        if (i < n && text.charAt(i) == '"') {
          int startLine = line;
          i++;
          while (true) {
            if (i >= n) {
              throw new IllegalArgumentException(
                  path + ":" + startLine + ": unterminated quoted field");
            }
            char c = text.charAt(i);
            if (c == '"') {
              if (i + 1 < n && text.charAt(i + 1) == '"') {
                field.append('"');
                i += 2;
                continue;
              }
              i++;
              break;
            }
            if (c == '\n') {
              line++;
            }
            field.append(c);
            i++;
          }
          while (i < n
              && text.charAt(i) != ','
              && text.charAt(i) != '\n'
              && text.charAt(i) != '\r') {
            field.append(text.charAt(i++));
          }
        } else {
          while (i < n
              && text.charAt(i) != ','
              && text.charAt(i) != '\n'
              && text.charAt(i) != '\r') {
            field.append(text.charAt(i++));
          }
        }
        rec.add(field.toString());
        if (rec.size() > maxFields) {
          throw new IllegalArgumentException(
              path
                  + ":"
                  + lines.get(lines.size() - 1)
                  + ": the record has more than "
                  + maxFields
                  + " fields (the limit maxColumns); the file is not a manifest, or its separator"
                  + " is not a comma; if it is genuine, raise the limit: Manifest.load(path,"
                  + " replacements, Manifest.Limits.defaults().withMaxColumns("
                  + 2L * maxFields
                  + ")) or -Dsonus.limits.manifest.maxColumns="
                  + 2L * maxFields);
        }
        if (i >= n) {
          endOfRecord = true;
        } else if (text.charAt(i) == ',') {
          i++;
        } else {
          if (text.charAt(i) == '\r') {
            i++;
          }
          if (i < n && text.charAt(i) == '\n') {
            i++;
          }
          line++;
          endOfRecord = true;
        }
      }
      records.add(rec);
    }
  }
}

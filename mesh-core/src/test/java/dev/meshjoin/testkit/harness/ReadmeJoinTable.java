package dev.meshjoin.testkit.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's table "Store requests per join", read so that tests compare what they measure with
 * what the README promises: a row such as {@code | joiner, Workers KV | 9 (8 metadata, 1 value) |
 * 5 PUT | 1 |} gives, per column, a total and its breakdown ({@code metadata=8, value=1}).
 */
public final class ReadmeJoinTable {
    private static final Pattern PART = Pattern.compile("(\\d+) ([A-Za-z-]+)");

    /** One cell: its leading total and the counts named inside the first parentheses, or after the total. */
    public record Cell(long total, Map<String, Long> parts) {
        /** The count of {@code label}, 0 when the cell does not name it. */
        public long part(String label) {
            return parts.getOrDefault(label, 0L);
        }
    }

    /** One row: reads, writes, lists. */
    public record Row(Cell reads, Cell writes, Cell lists) {
    }

    private ReadmeJoinTable() {
    }

    /** The row whose first cell is {@code join}, such as {@code founder, Workers KV}. */
    public static Row row(String join) {
        String readme = readme();
        for (String line : readme.split("\n")) {
            String[] cells = line.split("\\|");
            if (cells.length >= 5 && cells[1].strip().equals(join)) {
                return new Row(cell(cells[2]), cell(cells[3]), cell(cells[4]));
            }
        }
        throw new AssertionError("README.md has no row '" + join + "' in the per-join table");
    }

    private static Cell cell(String text) {
        String t = text.strip().replace("*", "");
        Matcher total = Pattern.compile("^(\\d+)").matcher(t);
        if (!total.find()) {
            throw new AssertionError("README per-join cell '" + t + "' does not start with a number");
        }
        // "9 (6 put-if-absent, 2 compare-and-set, 1 delete) + 2 lease grants on etcd": the parts are in
        // the parentheses; "5 PUT": the total is its own single part; what follows "+" is extra.
        String head = t.contains("+") ? t.substring(0, t.indexOf('+')) : t;
        String inside = head.contains("(") ? head.substring(head.indexOf('(') + 1, head.indexOf(')')) : head;
        Map<String, Long> parts = new LinkedHashMap<>();
        for (String piece : Arrays.asList(inside.split(","))) {
            Matcher m = PART.matcher(piece.strip());
            if (m.find()) {
                parts.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
            }
        }
        return new Cell(Long.parseLong(total.group(1)), Map.copyOf(parts));
    }

    private static String readme() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new AssertionError("README.md not found above " + Path.of("").toAbsolutePath());
        }
        try {
            return Files.readString(dir.resolve("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

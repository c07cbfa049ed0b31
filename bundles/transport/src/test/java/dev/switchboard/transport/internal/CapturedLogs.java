package dev.switchboard.transport.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What is logged while open, both ways a log line leaves the JVM in tests: SLF4J's (slf4j-simple
 * prints to {@code System.err}) and {@code java.util.logging}'s, where Tyrus and Grizzly log.
 */
final class CapturedLogs implements AutoCloseable {

    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    CapturedLogs() {
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        root.addHandler(handler);
    }

    /** SLF4J's lines so far. */
    synchronized List<String> lines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** SLF4J lines that are part of a stack trace, and java.util.logging records carrying one. */
    List<String> stackTraces() {
        List<String> traces = new java.util.ArrayList<>(lines().stream()
                .filter(line -> line.startsWith("\tat ") || line.startsWith("Caused by:")).toList());
        records.stream().filter(record -> record.getThrown() != null)
                .forEach(record -> traces.add(record.getLoggerName() + ": " + record.getThrown()));
        return traces;
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        System.setErr(originalErr);
        originalErr.print(err.toString(StandardCharsets.UTF_8));
    }
}

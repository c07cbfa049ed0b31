package dev.switchboard.itests.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The built distribution unzipped into a directory of its own and driven the way a user drives
 * it: bin/start, bin/stop, bin/client, the Web Console over HTTP, files in etc/ and deploy/.
 */
final class Installation {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ADMIN = Pattern.compile("(?m)^admin = ([^,]+),");

    final Path home;
    final int httpPort;
    final int sshPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Installation(Path home, int httpPort, int sshPort) {
        this.home = home;
        this.httpPort = httpPort;
        this.sshPort = sshPort;
    }

    /** Unzips {@code zip} under {@code work} and moves its HTTP and SSH ports to free ones. */
    static Installation unzip(Path zip, Path work) throws IOException {
        Files.createDirectories(work);
        Path target = Files.createTempDirectory(work, "run-");
        Path home = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path file = target.resolve(entry.getName()).normalize();
                if (!file.startsWith(target)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (home == null) {
                    home = target.resolve(Path.of(entry.getName()).getName(0));
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(file);
                } else {
                    Files.createDirectories(file.getParent());
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        // ZipInputStream drops Unix modes: make bin/ scripts executable as unzip would
        try (var scripts = Files.list(home.resolve("bin"))) {
            for (Path script : scripts.filter(p -> Files.isRegularFile(p) && !p.toString().endsWith(".bat")).toList()) {
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Installation installation = new Installation(home, freePort(), freePort());
        installation.replaceInConfig("org.ops4j.pax.web.cfg", "org.osgi.service.http.port = 8181",
                "org.osgi.service.http.port = " + installation.httpPort);
        installation.replaceInConfig("org.apache.karaf.shell.cfg", "sshPort = 8101", "sshPort = " + installation.sshPort);
        return installation;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    void replaceInConfig(String name, String from, String to) throws IOException {
        Path file = home.resolve("etc").resolve(name);
        String text = Files.readString(file);
        if (!text.contains(from)) {
            throw new IllegalStateException(name + " has no \"" + from + "\"");
        }
        writeConfig(name, text.replace(from, to));
    }

    /** Adds {@code feature} (one the distribution carries but does not start) to the features Karaf boots. */
    void bootFeature(String feature) throws IOException {
        replaceInConfig("org.apache.karaf.features.cfg", "featuresBoot = \\\n", "featuresBoot = \\\n    " + feature
                + ", \\\n");
    }

    /**
     * Enables a shipped example as a user does: etc/{@code name}.disabled, with each key of
     * {@code values} set, written as etc/{@code name}. Fails when the example lacks a key.
     */
    void enableExample(String name, Map<String, String> values) throws IOException {
        String text = Files.readString(home.resolve("etc").resolve(name + ".disabled"));
        for (Map.Entry<String, String> value : values.entrySet()) {
            Matcher line = Pattern.compile("(?m)^" + Pattern.quote(value.getKey()) + " *=.*$").matcher(text);
            if (!line.find()) {
                throw new IllegalStateException(name + ".disabled has no key " + value.getKey());
            }
            text = line.replaceFirst(Matcher.quoteReplacement(value.getKey() + " = " + value.getValue()));
        }
        writeConfig(name, text);
    }

    /** Writes etc/{@code name} in one step, so FileInstall never reads half a file. */
    void writeConfig(String name, String text) throws IOException {
        Path tmp = home.resolve("etc").resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, home.resolve("etc").resolve(name), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** Copies {@code file} into deploy/ as {@code name}, in one step for the same reason. */
    void deploy(Path file, String name) throws IOException {
        Path tmp = home.resolve(name + ".tmp");
        Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, home.resolve("deploy").resolve(name), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs a script in bin/ to its end and returns what it printed. */
    String run(String script, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(home.resolve("bin").resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        builder.environment().remove("SWITCHBOARD_ADMIN_PASSWORD");
        builder.environment().remove("EXTRA_JAVA_OPTS");
        Process process = builder.start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        byte[] out;
        try (InputStream in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("bin/" + script + " did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Runs shell commands through bin/client in batch mode (commands on stdin). */
    String shell(String commands) throws IOException, InterruptedException {
        return run("client", commands + "\n", "-b");
    }

    long pid() throws IOException {
        return Long.parseLong(Files.readString(home.resolve("karaf.pid")).strip());
    }

    String password() throws IOException {
        Matcher m = ADMIN.matcher(Files.readString(home.resolve("etc/users.properties")));
        if (!m.find()) {
            throw new IllegalStateException("no admin in etc/users.properties");
        }
        return m.group(1);
    }

    String log(String name) {
        try {
            Path file = home.resolve("data/log").resolve(name);
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> get(String path, String user, String password) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET();
        if (user != null) {
            request.header("Authorization", basic(user, password));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An authenticated form POST to the Web Console, as its buttons send. */
    HttpResponse<String> post(String path, String form) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", basic("admin", password()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** GET with the admin credentials, parsed as JSON. */
    JsonNode json(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path, "admin", password());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    /** The console's JSON view. */
    JsonNode overview() throws IOException, InterruptedException {
        return json("/system/console/switchboard.json");
    }

    /** The endpoint {@code id} in the console's JSON view, or null. */
    JsonNode endpoint(String id) throws IOException, InterruptedException {
        for (JsonNode e : overview().path("endpoints")) {
            if (id.equals(e.path("id").asText())) {
                return e;
            }
        }
        return null;
    }

    String state(String endpointId) {
        try {
            JsonNode e = endpoint(endpointId);
            return e == null ? "ABSENT" : e.path("state").asText();
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "UNREACHABLE (" + e + ")";
        }
    }

    boolean online(String endpointId) {
        return "ONLINE".equals(state(endpointId));
    }

    /** The Web Console's id of the bundle {@code symbolicName}, and its state. */
    JsonNode bundle(String symbolicName) throws IOException, InterruptedException {
        for (JsonNode b : json("/system/console/bundles.json").path("data")) {
            if (symbolicName.equals(b.path("symbolicName").asText())) {
                return b;
            }
        }
        return null;
    }

    /** The framework's id of the bundle {@code symbolicName}; fails when it is not installed. */
    long bundleId(String symbolicName) throws IOException, InterruptedException {
        JsonNode bundle = bundle(symbolicName);
        if (bundle == null) {
            throw new AssertionError(symbolicName + " is not installed");
        }
        return bundle.path("id").asLong();
    }

    /**
     * Writes the threads of this installation's Karaf (jcmd Thread.print) beside its home, so a
     * wedged run can be read after the fact; returns the file, or null when no process runs.
     */
    Path dumpThreads(String why) {
        try {
            for (ProcessHandle p : ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains(home.toString())
                            && p.info().commandLine().orElse("").contains("org.apache.karaf.main.Main")).toList()) {
                Path file = home.resolveSibling("threads-" + System.currentTimeMillis() + ".txt");
                Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
                Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(p.pid()), "Thread.print", "-l")
                        .redirectErrorStream(true).redirectOutput(file.toFile()).start();
                dump.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
                System.out.println("Threads of Karaf (" + why + ") in " + file);
                return file;
            }
        } catch (IOException e) {
            System.out.println("no thread dump (" + why + "): " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /**
     * One line from a thread dump for a failure message (CI shows a failure's first line only):
     * a deadlock if the JVM found one, else each Switchboard or SCR thread that waits, with the
     * frame it waits in.
     */
    static String threadSummary(Path dump) {
        if (dump == null) {
            return "no thread dump";
        }
        String text;
        try {
            text = Files.readString(dump);
        } catch (IOException e) {
            return "no thread dump: " + e;
        }
        if (text.contains("Found one Java-level deadlock")) {
            String deadlock = text.substring(text.indexOf("Found one Java-level deadlock"));
            return deadlock.lines().limit(12).map(String::strip).collect(java.util.stream.Collectors.joining(" | "));
        }
        List<String> waiting = new java.util.ArrayList<>();
        for (String thread : text.split("\n\n")) {
            if (!thread.startsWith("\"") || !(thread.contains("BLOCKED") || thread.contains("WAITING"))) {
                continue;
            }
            String frame = thread.lines().map(String::strip)
                    .filter(l -> l.startsWith("at dev.switchboard.") || l.startsWith("at org.apache.felix.scr."))
                    .findFirst().orElse(null);
            // idle loops waiting for work say nothing
            if (frame != null && !frame.contains("ThreadPoolExecutor") && !frame.contains("DeliveryLoop.run(")
                    && !frame.contains("ComponentActorThread.run(")) {
                String name = thread.substring(1, thread.indexOf('"', 1));
                waiting.add(name + " " + frame.substring(3));
            }
        }
        return waiting.isEmpty() ? "no Switchboard thread waits" : "waiting: " + String.join(" | ", waiting);
    }

    /** As {@link #threadSummary(Path)} for this JVM (the doubles of outside services run here): blocked threads only. */
    static String localThreadSummary() {
        List<String> blocked = new java.util.ArrayList<>();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getState() == Thread.State.BLOCKED) {
                java.util.Arrays.stream(stack).filter(f -> f.getClassName().startsWith("dev.switchboard.")).findFirst()
                        .ifPresent(f -> blocked.add(thread.getName() + " " + f));
            }
        });
        return blocked.isEmpty() ? "none blocked here" : "blocked here: " + String.join(" | ", blocked);
    }

    /** Kills whatever still runs from this installation: a failed test must never leave a process behind. */
    void destroy() {
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(home.toString()))
                .forEach(ProcessHandle::destroyForcibly);
    }

    URI wsUri(int port, String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Polls {@code condition} every 200 ms until it holds; fails with {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(200);
        }
    }
}

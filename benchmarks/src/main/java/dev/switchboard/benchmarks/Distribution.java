package dev.switchboard.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
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
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The built distribution ({@code distribution/target/switchboard-<version>.zip}) run as a user
 * runs it: unzipped into a folder of its own, configured by files in {@code etc/}, started with
 * {@code bin/start} with its default JVM settings, watched through the Web Console's JSON view,
 * stopped with {@code bin/stop}. Only its HTTP, SSH and demo ports are moved to free ones, so it
 * runs beside other installations.
 */
final class Distribution implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY = Duration.ofSeconds(120);

    final Path home;
    private final Path folder;
    private final int httpPort;
    /** Set before the first start: the admin user is created with it (see bin/setenv). */
    private final String password = UUID.randomUUID().toString().replace("-", "");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private boolean started;
    /** JVM options instead of the distribution's defaults (EXTRA_JAVA_OPTS of bin/setenv), or null for those. */
    private String javaOptions;

    private Distribution(Path folder, Path home, int httpPort) {
        this.folder = folder;
        this.home = home;
        this.httpPort = httpPort;
    }

    /** The zip named by {@code --zip}, or the one the reactor built under distribution/target/. */
    static Path zip(String option) throws IOException {
        if (option != null) {
            return Path.of(option);
        }
        try (Stream<Path> files = Files.list(Path.of("distribution", "target"))) {
            return files.filter(f -> f.getFileName().toString().matches("switchboard-.*\\.zip")).findFirst()
                    .orElseThrow(() -> new IOException("no distribution/target/switchboard-*.zip: build it with "
                            + "mvn -B -ntp package -DskipTests -pl distribution -am"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("no distribution/target/ here: run from the repository's root, or name the zip with --zip");
        }
    }

    /** Unzips {@code zip} into a new temporary folder and moves its listeners to free ports. */
    static Distribution unpack(Path zip) throws IOException {
        Path folder = Files.createTempDirectory("switchboard-bench-");
        Path home = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path file = folder.resolve(entry.getName()).normalize();
                if (!file.startsWith(folder)) {
                    throw new IOException("zip entry outside its folder: " + entry.getName());
                }
                if (home == null) {
                    home = folder.resolve(Path.of(entry.getName()).getName(0));
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
        try (Stream<Path> scripts = Files.list(home.resolve("bin"))) {
            for (Path script : scripts.filter(p -> Files.isRegularFile(p) && !p.toString().endsWith(".bat")).toList()) {
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Distribution distribution = new Distribution(folder, home, freePort());
        distribution.replace("org.ops4j.pax.web.cfg", "org.osgi.service.http.port = 8181",
                "org.osgi.service.http.port = " + distribution.httpPort);
        distribution.replace("org.apache.karaf.shell.cfg", "sshPort = 8101", "sshPort = " + freePort());
        distribution.replace("dev.switchboard.channels-demo.cfg", "port = 8025", "port = " + freePort());
        distribution.replace("dev.switchboard.channels-mirror.cfg", "port = 8026", "port = " + freePort());
        return distribution;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts Karaf with {@code options} instead of bin/setenv's default JVM options. */
    void javaOptions(String options) {
        this.javaOptions = options;
    }

    /** Writes etc/{@code name} in one step, so Karaf never reads half a file. */
    void writeConfig(String name, String text) throws IOException {
        Path tmp = home.resolve("etc").resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, home.resolve("etc").resolve(name), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private void replace(String name, String from, String to) throws IOException {
        String text = Files.readString(home.resolve("etc").resolve(name));
        if (!text.contains(from)) {
            throw new IllegalStateException("etc/" + name + " has no \"" + from + "\"");
        }
        writeConfig(name, text.replace(from, to));
    }

    /** Adds {@code feature} (one the distribution carries but does not start) to the features Karaf boots. */
    void bootFeature(String feature) throws IOException {
        replace("org.apache.karaf.features.cfg", "featuresBoot = \\\n", "featuresBoot = \\\n    " + feature + ", \\\n");
    }

    /** bin/start, then waits until each of {@code endpoints} is ONLINE in the console's JSON view. */
    void start(String... endpoints) throws IOException, InterruptedException {
        run("start");
        started = true;
        await(List.of(endpoints) + " ONLINE", view -> Stream.of(endpoints)
                .allMatch(id -> "ONLINE".equals(endpoint(view, id).path("state").asText())));
    }

    /** Waits until the status reason of endpoint {@code id} contains {@code text}. */
    void awaitReason(String id, String text) throws InterruptedException {
        await(id + "'s reason saying \"" + text + "\"", view -> endpoint(view, id).path("reason").asText().contains(text));
    }

    /** Waits until the gateway {@code name} is active with every member's source and sink present. */
    void awaitGateway(String name) throws InterruptedException {
        await("gateway " + name + " active with every member present", view -> {
            for (JsonNode gateway : view.path("gateways")) {
                if (name.equals(gateway.path("name").asText()) && gateway.path("active").asBoolean()) {
                    for (JsonNode member : gateway.path("members")) {
                        String direction = member.path("direction").asText();
                        if (!direction.equals("out") && !member.path("sourcePresent").asBoolean()
                                || !direction.equals("in") && !member.path("sinkPresent").asBoolean()) {
                            return false;
                        }
                    }
                    return true;
                }
            }
            return false;
        });
    }

    /** Polls the console's JSON view until {@code condition} holds. */
    private void await(String what, Predicate<JsonNode> condition) throws InterruptedException {
        long deadline = System.nanoTime() + READY.toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not " + what + " after " + READY.toSeconds() + " s; see "
                        + home.resolve("data/log"));
            }
            Thread.sleep(200);
        }
    }

    private boolean holds(Predicate<JsonNode> condition) throws InterruptedException {
        try {
            return condition.test(overview());
        } catch (IOException | RuntimeException e) {
            return false; // not answering yet
        }
    }

    /** The Web Console's JSON view, {@code /system/console/switchboard.json}. */
    JsonNode overview() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                        + "/system/console/switchboard.json")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8))).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("switchboard.json answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    /** The endpoint {@code id} in a JSON view, or a missing node. */
    static JsonNode endpoint(JsonNode overview, String id) {
        for (JsonNode endpoint : overview.path("endpoints")) {
            if (id.equals(endpoint.path("id").asText())) {
                return endpoint;
            }
        }
        return MissingNode.getInstance();
    }

    /** The Karaf JVM's process id. */
    long pid() throws IOException {
        return Long.parseLong(Files.readString(home.resolve("karaf.pid")).strip());
    }

    /** bin/stop, waits for the JVM to end (killing it after a minute), and deletes the folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (started) {
            ProcessHandle process = Files.exists(home.resolve("karaf.pid")) ? ProcessHandle.of(pid()).orElse(null) : null;
            run("stop");
            if (process != null) {
                try {
                    process.onExit().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    process.destroyForcibly();
                }
            }
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Runs a script in bin/ to its end, with the admin password for a first start and only the JVM options set here. */
    private void run(String script) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin").resolve(script).toString())
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("SWITCHBOARD_ADMIN_PASSWORD", password);
        builder.environment().remove("EXTRA_JAVA_OPTS");
        builder.environment().remove("JAVA_OPTS");
        if (javaOptions != null) {
            builder.environment().put("EXTRA_JAVA_OPTS", javaOptions);
        }
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("bin/" + script + " did not finish");
        }
    }
}

package dev.switchboard.benchmarks;

import dev.switchboard.itests.peers.kosmi.KosmiDouble;
import dev.switchboard.transport.WebSocketTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kosmi bridge latency: a message injected into the loopback Kosmi double travels through
 * Switchboard as a user runs it — the built distribution, unzipped, configured by three files in
 * {@code etc/} (a Kosmi endpoint {@code kosmi.bench} pointed at the double, a channels endpoint
 * {@code bench}, a gateway {@code kosmi.bench:@room} ⇄ {@code bench:chat:lobby} with the nick
 * format applied), started with {@code bin/start} and its default JVM settings — to a WebSocket
 * client subscribed to {@code chat:lobby} on the channels endpoint. The baseline, in the same run
 * and from the same injection, is a graphql-transport-ws client subscribed to the double directly.
 * Both receivers are JDK WebSocket clients in this process and time each message from injection to
 * arrival. The double runs in this process on the {@code WebSocketTransport} service of an
 * {@link EmbeddedFramework}.
 *
 * <p>Phases: warm-up ({@code --warmup}, default 2 000); latency (one message in flight at a time,
 * {@code --messages}, default 10 000); throughput (the same count with up to {@code --window}
 * messages in flight, default 256). {@code --quick}: 500 and 1 000.
 * Prints one JSON line. Everything stays on 127.0.0.1. Run from the repository's root, or name the
 * zip with {@code --zip}.
 */
public final class KosmiBridgeLatency {

    private static final Pattern STAMP = Pattern.compile("b:(\\d+):(\\d+)");
    private static final String ROOM = "@room";
    private static final String USER_AGENT = "KosmiBridgeLatency/1.0";

    private KosmiBridgeLatency() {
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = Arrays.asList(args);
        boolean quick = arguments.contains("--quick");
        int messages = option(arguments, "--messages", quick ? 1_000 : 10_000);
        int window = option(arguments, "--window", 256);
        int warmup = option(arguments, "--warmup", quick ? 500 : 2_000);

        EmbeddedFramework framework = EmbeddedFramework.start();
        KosmiDouble kosmi = new KosmiDouble(framework.service(WebSocketTransport.class)).start();
        Distribution switchboard = Distribution.unpack(Distribution.zip(stringOption(arguments, "--zip")));
        int port = Distribution.freePort();
        switchboard.writeConfig("dev.switchboard.kosmi-bench.cfg", "id = kosmi.bench\nrooms = " + ROOM
                + "\ngraphqlUrl = " + kosmi.graphqlUrl() + "\nwebSocketUrl = " + kosmi.webSocketUrl() + "\n");
        switchboard.writeConfig("dev.switchboard.channels-bench.cfg", "id = bench\nport = " + port
                + "\nchatPatterns = chat:<room>\n");
        // the default nick format, "[{PROTOCOL}] <{NICK}> ", is applied to every message
        switchboard.writeConfig("dev.switchboard.gateway-bench.cfg", "name = bench\nmembers = kosmi.bench:" + ROOM
                + " inout, bench:chat:lobby inout\n");
        try {
            switchboard.start("kosmi.bench", "bench");
            switchboard.awaitGateway("bench");
            measure(kosmi, URI.create("ws://127.0.0.1:" + port + "/"), messages, window, warmup);
        } finally {
            switchboard.close();
            kosmi.close();
            framework.close();
        }
        System.exit(0);
    }

    private static void measure(KosmiDouble kosmi, URI channels, int messages, int window, int warmup) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Receiver viaBridge = new Receiver(messages + warmup);
        WebSocket browser = http.newWebSocketBuilder().buildAsync(channels, viaBridge).get(20, TimeUnit.SECONDS);
        browser.sendText("[\"chat:lobby\",\"subscribe\",{}]", true);
        Receiver direct = new Receiver(messages + warmup);
        WebSocket subscriber = directSubscriber(http, kosmi, direct);
        long joined = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (kosmi.listeners(ROOM) < 2) {
            if (System.nanoTime() > joined) {
                throw new IllegalStateException("the bridge and the direct subscriber did not both join " + ROOM);
            }
            Thread.sleep(10);
        }

        long sequence = 0;
        // warm-up, then latency with one message in flight
        for (int i = 0; i < warmup; i++, sequence++) {
            inject(kosmi, sequence, viaBridge, direct, 1);
        }
        viaBridge.reset();
        direct.reset();
        for (int i = 0; i < messages; i++, sequence++) {
            inject(kosmi, sequence, viaBridge, direct, 1);
        }
        long[] bridgeLatency = viaBridge.latencies();
        long[] directLatency = direct.latencies();

        // throughput with a window of messages in flight
        viaBridge.reset();
        direct.reset();
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++, sequence++) {
            inject(kosmi, sequence, viaBridge, direct, window);
        }
        viaBridge.drain(window);
        direct.drain(window);
        double bridgeRate = messages / ((viaBridge.lastArrival - start) / 1e9);
        double directRate = messages / ((direct.lastArrival - start) / 1e9);

        System.out.println(String.format(Locale.ROOT,
                "{\"benchmark\":\"KosmiBridgeLatency\",\"messages\":%d,\"window\":%d,"
                        + "\"bridge\":{\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"maxMs\":%.3f,\"msgsPerSecond\":%.0f},"
                        + "\"direct\":{\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"maxMs\":%.3f,\"msgsPerSecond\":%.0f},"
                        + "\"addedP50Ms\":%.3f,\"addedP99Ms\":%.3f}",
                messages, window, ms(percentile(bridgeLatency, 50)), ms(percentile(bridgeLatency, 99)),
                ms(bridgeLatency[bridgeLatency.length - 1]), bridgeRate, ms(percentile(directLatency, 50)),
                ms(percentile(directLatency, 99)), ms(directLatency[directLatency.length - 1]), directRate,
                ms(percentile(bridgeLatency, 50) - percentile(directLatency, 50)),
                ms(percentile(bridgeLatency, 99) - percentile(directLatency, 99))));

        browser.abort();
        subscriber.abort();
    }

    /** Injects one message stamped with its sequence and time, once fewer than {@code window} are in flight at each receiver. */
    private static void inject(KosmiDouble kosmi, long sequence, Receiver bridge, Receiver direct, int window)
            throws InterruptedException {
        bridge.acquire(window);
        direct.acquire(window);
        kosmi.inject(ROOM, "kim", "Kim", "b:" + sequence + ":" + System.nanoTime());
    }

    /** A graphql-transport-ws client joined to the double's room, as any Kosmi browser tab is. */
    private static WebSocket directSubscriber(HttpClient http, KosmiDouble kosmi, Receiver receiver) throws Exception {
        WebSocket socket = http.newWebSocketBuilder().subprotocols(KosmiDouble.SUBPROTOCOL).header("User-Agent", USER_AGENT)
                .buildAsync(URI.create(kosmi.webSocketUrl()), receiver).get(20, TimeUnit.SECONDS);
        String ua = Base64.getEncoder().encodeToString(USER_AGENT.getBytes(StandardCharsets.UTF_8));
        socket.sendText("{\"type\":\"connection_init\",\"payload\":{\"token\":\"" + kosmi.issueToken() + "\",\"ua\":\""
                + ua + "\",\"v\":\"" + KosmiDouble.APP_VERSION + "\",\"r\":\"\"}}", true).get(20, TimeUnit.SECONDS);
        receiver.awaitText("connection_ack");
        socket.sendText("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription OnNewMessage($roomId: "
                + "String!) { newMessage(roomId: $roomId) { body time user { displayName username } } }\","
                + "\"variables\":{\"roomId\":\"" + ROOM + "\"}}}", true).get(20, TimeUnit.SECONDS);
        socket.sendText("{\"id\":\"2\",\"type\":\"subscribe\",\"payload\":{\"query\":\"mutation JoinRoom($id: String!) "
                + "{ joinRoom(id: $id) { ok } }\",\"variables\":{\"id\":\"" + ROOM + "\"}}}", true).get(20, TimeUnit.SECONDS);
        return socket;
    }

    /** Times every stamped frame from injection to arrival; lets the driver keep a window of messages in flight. */
    private static final class Receiver implements WebSocket.Listener {
        private final long[] latencies;
        private final Semaphore inFlight = new Semaphore(0);
        private final StringBuilder partial = new StringBuilder();
        private volatile String expectedText;
        private final Semaphore textSeen = new Semaphore(0);
        private int count;
        private int released;
        volatile long lastArrival;

        Receiver(int capacity) {
            latencies = new long[capacity];
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                Matcher stamp = STAMP.matcher(partial);
                if (stamp.find()) {
                    synchronized (this) {
                        latencies[count++] = now - Long.parseLong(stamp.group(2));
                        lastArrival = now;
                    }
                    inFlight.release();
                } else if (expectedText != null && partial.indexOf(expectedText) >= 0) {
                    textSeen.release();
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        void awaitText(String text) throws InterruptedException {
            expectedText = text;
            if (!textSeen.tryAcquire(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no " + text);
            }
        }

        /** Waits until fewer than {@code window} injected messages are still on their way here. */
        void acquire(int window) throws InterruptedException {
            if (released < window) {
                released++;
                return;
            }
            if (!inFlight.tryAcquire(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a message was lost");
            }
        }

        /** Waits for every message still in flight. */
        void drain(int window) throws InterruptedException {
            if (!inFlight.tryAcquire(Math.min(window, released), 20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("messages were lost");
            }
            released = 0;
        }

        /** Waits for what is in flight (outside the lock {@link #onText} records under), then forgets every figure. */
        void reset() throws InterruptedException {
            if (released > 0 && !inFlight.tryAcquire(released, 20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("messages were lost");
            }
            released = 0;
            synchronized (this) {
                count = 0;
            }
        }

        synchronized long[] latencies() {
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            return sorted;
        }
    }

    private static long percentile(long[] sorted, int percent) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String stringOption(List<String> arguments, String name) {
        int at = arguments.indexOf(name);
        return at >= 0 && at + 1 < arguments.size() ? arguments.get(at + 1) : null;
    }

    private static int option(List<String> arguments, String name, int fallback) {
        int at = arguments.indexOf(name);
        return at >= 0 && at + 1 < arguments.size() ? Integer.parseInt(arguments.get(at + 1)) : fallback;
    }
}

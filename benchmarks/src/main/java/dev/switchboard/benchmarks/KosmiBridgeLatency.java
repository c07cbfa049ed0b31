package dev.switchboard.benchmarks;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.channels.internal.ChannelsAdapter;
import dev.switchboard.channels.internal.ChannelsSettings;
import dev.switchboard.itests.peers.kosmi.KosmiDouble;
import dev.switchboard.kosmi.internal.KosmiAdapter;
import dev.switchboard.kosmi.internal.KosmiConfig;
import dev.switchboard.router.internal.GatewaySettings;
import dev.switchboard.router.internal.Router;
import dev.switchboard.transport.WebSocketTransport;
import dev.switchboard.transport.internal.TyrusTransport;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kosmi bridge latency: a message injected into the loopback Kosmi double travels through the
 * Kosmi adapter, a gateway ({@code kosmi.main:@room} ⇄ {@code channels.local:chat:lobby}, nick
 * format applied) and the channels adapter to a WebSocket client subscribed to {@code chat:lobby}.
 * The baseline, in the same run and from the same injection, is a graphql-transport-ws client
 * subscribed to the double directly. Both receivers are JDK WebSocket clients in this process
 * and time each message from injection to arrival.
 *
 * <p>Phases: warm-up; latency (one message in flight at a time, {@code --messages}, default 10 000);
 * throughput (the same count with up to {@code --window} messages in flight, default 256).
 * Prints one JSON line. Everything stays on 127.0.0.1.
 */
public final class KosmiBridgeLatency {

    private static final Pattern STAMP = Pattern.compile("b:(\\d+):(\\d+)");
    private static final String ROOM = "@room";
    private static final String USER_AGENT = "KosmiBridgeLatency/1.0";

    private KosmiBridgeLatency() {
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = Arrays.asList(args);
        int messages = option(arguments, "--messages", 10_000);
        int window = option(arguments, "--window", 256);
        int warmup = option(arguments, "--warmup", 2_000);

        TyrusTransport transport = new TyrusTransport();
        KosmiDouble kosmi = new KosmiDouble(transport).start();
        ChannelsAdapter channels = channels(transport);
        KosmiAdapter bridge = kosmi(transport, kosmi);
        Router router = new Router();
        router.sinkAdded("channels.local", channels);
        router.sinkAdded("kosmi.main", bridge);
        router.configure("bench", new GatewaySettings("bench",
                List.of("kosmi.main:" + ROOM + " inout", "channels.local:chat:lobby inout"),
                "[{PROTOCOL}] <{NICK}> ", 100_000, true));
        router.sourceAdded("channels.local", "channels", channels);
        router.sourceAdded("kosmi.main", "kosmi", bridge);
        awaitOnline(bridge);

        HttpClient http = HttpClient.newHttpClient();
        Receiver viaBridge = new Receiver(messages + warmup);
        WebSocket browser = http.newWebSocketBuilder()
                .buildAsync(URI.create((String) channels.metrics().details().get("url")), viaBridge).get(20, TimeUnit.SECONDS);
        browser.sendText("[\"chat:lobby\",\"subscribe\",{}]", true);
        Receiver direct = new Receiver(messages + warmup);
        WebSocket subscriber = directSubscriber(http, kosmi, direct);
        while (kosmi.listeners(ROOM) < 2) {
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
        router.close();
        invoke(bridge, "stop");
        invoke(channels, "stop");
        kosmi.close();
        transport.close();
        System.exit(0);
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

    // --- the real adapters, embedded: DS would set their transport and call start ------------

    private static ChannelsAdapter channels(WebSocketTransport transport) throws Exception {
        ChannelsAdapter adapter = new ChannelsAdapter();
        inject(adapter, "transport", transport);
        adapter.start(ChannelsSettings.defaults("channels.local"));
        return adapter;
    }

    private static KosmiAdapter kosmi(WebSocketTransport transport, KosmiDouble kosmi) throws Exception {
        Map<String, Object> values = Map.of("id", "kosmi.main", "rooms", new String[] {ROOM},
                "graphqlUrl", kosmi.graphqlUrl(), "webSocketUrl", kosmi.webSocketUrl());
        KosmiConfig config = (KosmiConfig) Proxy.newProxyInstance(KosmiConfig.class.getClassLoader(),
                new Class<?>[] {KosmiConfig.class}, (proxy, method, args) -> values.containsKey(method.getName())
                        ? values.get(method.getName()) : method.getDefaultValue());
        KosmiAdapter adapter = new KosmiAdapter();
        inject(adapter, "transport", transport);
        Method configure = KosmiAdapter.class.getDeclaredMethod("configure", KosmiConfig.class);
        configure.setAccessible(true);
        configure.invoke(adapter, config);
        return adapter;
    }

    private static void inject(Object target, String field, Object value) throws Exception {
        Field declared = target.getClass().getDeclaredField(field);
        declared.setAccessible(true);
        declared.set(target, value);
    }

    private static void invoke(Object target, String method) throws Exception {
        Method declared = target.getClass().getDeclaredMethod(method);
        declared.setAccessible(true);
        declared.invoke(target);
    }

    private static void awaitOnline(Endpoint endpoint) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (endpoint.status().state() != EndpointStatus.State.ONLINE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(endpoint.id() + " is not online: " + endpoint.status());
            }
            Thread.sleep(10);
        }
    }

    private static long percentile(long[] sorted, int percent) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static int option(List<String> arguments, String name, int fallback) {
        int at = arguments.indexOf(name);
        return at >= 0 && at + 1 < arguments.size() ? Integer.parseInt(arguments.get(at + 1)) : fallback;
    }
}

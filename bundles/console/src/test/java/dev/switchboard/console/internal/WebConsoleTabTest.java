package dev.switchboard.console.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatusListener;
import dev.switchboard.api.Message;
import dev.switchboard.api.Subscription;
import dev.switchboard.console.internal.RateHistory.Counters;
import dev.switchboard.console.internal.SwitchboardPlugin.ActionResult;
import dev.switchboard.router.Direction;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.MemberInfo;
import dev.switchboard.router.SinkInfo;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

/** The Web Console tab's server side: rates and their five minutes, the JSON the page reads, the buttons. */
class WebConsoleTabTest {

    @Test
    void ratesAreTheCountersDifferencePerSecondInAndOutApart() {
        RateHistory history = new RateHistory(300);
        history.record(10_000, Map.of("demo", new Counters(100, 40)));
        history.record(11_000, Map.of("demo", new Counters(300, 41)));
        history.record(13_000, Map.of("demo", new Counters(500, 41)));
        // the first sample has no second before it: no traffic
        assertEquals(List.of(0.0, 200.0, 100.0), history.after(0).rates().get("demo").in());
        assertEquals(List.of(0.0, 1.0, 0.0), history.after(0).rates().get("demo").out());
        assertArrayEquals(new double[] {100, 0}, history.latest("demo"));
        assertEquals(List.of(13_000L), history.after(11_000).times());
    }

    @Test
    void aCounterThatStartsAgainIsNoNegativeRateAndANewThingHasNoPast() {
        RateHistory history = new RateHistory(300);
        history.record(1_000, Map.of("demo", new Counters(500, 500)));
        // bad input: the endpoint's bundle was redeployed, its counters start again from 0
        history.record(2_000, Map.of("demo", new Counters(3, 0), "mirror", new Counters(7, 7)));
        assertEquals(List.of(0.0, 0.0), history.after(0).rates().get("demo").in());
        assertEquals(Arrays.asList(null, 0.0), history.after(0).rates().get("mirror").in());
        assertArrayEquals(new double[] {0, 0}, history.latest("nobody"));
    }

    @Test
    void theHistoryIsBoundedAndForgetsWhatItNoLongerSees() {
        RateHistory history = new RateHistory(5);
        history.record(0, Map.of("gone", new Counters(0, 0)));
        for (int second = 1; second <= 12; second++) {
            history.record(second * 1000L, Map.of("demo", new Counters(second * 10L, 0)));
        }
        RateHistory.Window window = history.after(0);
        assertEquals(List.of(8_000L, 9_000L, 10_000L, 11_000L, 12_000L), window.times());
        assertEquals(List.of(10.0, 10.0, 10.0, 10.0, 10.0), window.rates().get("demo").in());
        assertFalse(window.rates().containsKey("gone"));
    }

    @Test
    void theJsonViewCarriesRatesAndTheLastFiveMinutes() throws Exception {
        EndpointDirectory directory = new EndpointDirectory();
        AtomicLong in = new AtomicLong();
        directory.addEndpoint(new CountingEndpoint("demo", in));
        long[] routed = {0};
        directory.setGatewayRegistry(() -> List.of(new GatewayInfo("dev.switchboard.gateway~demo", "demo", true, "active",
                List.of(new MemberInfo("demo", "chat:lobby", Direction.INOUT, true, true)),
                List.of(new SinkInfo("demo", true, 0, routed[0] * 2, 0, 0)), routed[0], 0, 0)));
        TrafficHistory traffic = new TrafficHistory(directory);
        for (int second = 0; second < 3; second++) {
            in.addAndGet(50);
            routed[0] += 20;
            traffic.record(overviewAt(directory, second));
        }
        JsonNode json = new ObjectMapper().readTree(JsonReport.render(directory.overview(), traffic, 0));
        JsonNode demo = json.get("endpoints").get(0);
        assertEquals(50.0, demo.get("rateIn").asDouble());
        assertEquals(0.0, demo.get("rateOut").asDouble());
        JsonNode gateway = json.get("gateways").get(0);
        assertEquals(20.0, gateway.get("rateIn").asDouble());
        assertEquals(40.0, gateway.get("rateOut").asDouble());
        assertEquals(3, json.get("history").get("endpoints").get("times").size());
        assertEquals("[0.0,50.0,50.0]", json.get("history").get("endpoints").get("rates").get("demo").get("in").toString());
        assertEquals("[0.0,40.0,40.0]", json.get("history").get("gateways").get("rates").get("demo").get("out").toString());
        // only what came after the page's last sample
        long last = json.get("history").get("endpoints").get("times").get(2).asLong();
        assertEquals(0, new ObjectMapper().readTree(JsonReport.render(directory.overview(), traffic, last))
                .get("history").get("endpoints").get("times").size());
        // without ?history=, no history
        assertFalse(new ObjectMapper().readTree(JsonReport.render(directory.overview(), traffic, -1)).has("history"));
    }

    @Test
    void actionsRefuseWhatTheyCannotDoInWords() {
        EndpointDirectory directory = new EndpointDirectory();
        directory.addEndpoint(new CountingEndpoint("demo", new AtomicLong()));
        List<Message> sent = new CopyOnWriteArrayList<>();
        directory.addSink(message -> {
            sent.add(message);
            return CompletableFuture.completedFuture(null);
        }, Map.of(Endpoint.ENDPOINT_PROPERTY, "demo"));
        ConsoleAction action = new ConsoleAction(directory, new EndpointActions());

        // bad inputs: no action, an unknown endpoint, an unknown action, a send without text, no Config Admin
        assertEquals(new ActionResult(false, "an action needs action= and endpoint="), action.run(null, "demo", null, null));
        assertEquals(new ActionResult(false, "no endpoint ghost"), action.run("disable", "ghost", null, null));
        assertEquals(new ActionResult(false, "unknown action explode"), action.run("explode", "demo", null, null));
        assertEquals(new ActionResult(false, "a test message needs a channel and a text"),
                action.run("send", "demo", "chat:lobby", " "));
        assertEquals(new ActionResult(false, "disable demo failed: Config Admin is not running"),
                action.run("disable", "demo", null, null));
        assertTrue(sent.isEmpty());

        assertEquals(new ActionResult(true, "sent to demo chat:lobby"), action.run("send", "demo", " chat:lobby ", "hello"));
        assertEquals("chat:lobby", sent.get(0).channel());
        assertEquals("hello", sent.get(0).text());
    }

    @Test
    void actionsNeedThePagesTokenAndNoOtherOrigin() {
        SwitchboardPlugin plugin = new SwitchboardPlugin(new EndpointDirectory(), new StatusFeed(line -> { }),
                new TrafficHistory(new EndpointDirectory()), new EndpointActions());
        // bad inputs: no token, a wrong one, one of the right length but other characters
        assertFalse(plugin.validToken(null));
        assertFalse(plugin.validToken("0123456789abcdef0123456789abcdef"));
        assertFalse(plugin.validToken(""));
        assertTrue(SwitchboardPlugin.sameOrigin(request(null, "127.0.0.1:8181")), "curl and scripts send no Origin");
        assertTrue(SwitchboardPlugin.sameOrigin(request("http://127.0.0.1:8181", "127.0.0.1:8181")));
        assertFalse(SwitchboardPlugin.sameOrigin(request("http://evil.example", "127.0.0.1:8181")));
        assertFalse(SwitchboardPlugin.sameOrigin(request("http://127.0.0.1:9999", "127.0.0.1:8181")));
        assertFalse(SwitchboardPlugin.sameOrigin(request("not a uri", "127.0.0.1:8181")));
    }

    private static HttpServletRequest request(String origin, String host) {
        return (HttpServletRequest) Proxy.newProxyInstance(WebConsoleTabTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> "Origin".equals(args[0]) ? origin : "Host".equals(args[0]) ? host : null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Overview overviewAt(EndpointDirectory directory, int second) {
        Overview now = directory.overview();
        return new Overview(java.time.Instant.ofEpochSecond(1_000 + second), now.endpoints(), now.routerPresent(),
                now.gateways());
    }

    private record CountingEndpoint(String id, AtomicLong in) implements Endpoint {
        @Override
        public String protocol() {
            return "channels";
        }

        @Override
        public EndpointStatus status() {
            return EndpointStatus.online("listening");
        }

        @Override
        public EndpointMetrics metrics() {
            return new EndpointMetrics(in.get(), 0, 0, 0, 0, 0, Map.of());
        }

        @Override
        public String canonicalChannel(String channel) {
            return channel;
        }

        @Override
        public Subscription watchStatus(EndpointStatusListener listener) {
            return () -> { };
        }
    }
}

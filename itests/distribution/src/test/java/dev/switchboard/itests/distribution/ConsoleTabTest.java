package dev.switchboard.itests.distribution;

import static dev.switchboard.itests.distribution.Installation.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The Web Console tab "Switchboard" in a real browser (headless Chromium) against the built
 * distribution with its demo: logged in with the generated password, the tab shows every endpoint
 * ONLINE, follows traffic through the demo gateway (counters, rates and charts move without a
 * reload), sends a test message, restarts an endpoint and switches one off and on again with its
 * buttons.
 * Screenshots of the tab: target/screenshots/console-tab*.png.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleTabTest {

    private static final Duration READY = Duration.ofSeconds(120);

    private Installation switchboard;
    private String version;
    private int demoPort;
    private int mirrorPort;
    private HeadlessChromium chromium;
    private final List<ChannelsClient> clients = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path zip = Path.of(System.getProperty("switchboard.zip"));
        version = zip.getFileName().toString().replaceAll("^switchboard-(.*)\\.zip$", "$1");
        switchboard = Installation.unzip(zip, Path.of(System.getProperty("switchboard.work")));
        demoPort = Installation.freePort();
        mirrorPort = Installation.freePort();
        switchboard.replaceInConfig("dev.switchboard.channels-demo.cfg", "port = 8025", "port = " + demoPort);
        switchboard.replaceInConfig("dev.switchboard.channels-mirror.cfg", "port = 8026", "port = " + mirrorPort);
        switchboard.run("start", null);
        await("demo and mirror are ONLINE", READY, () -> switchboard.online("demo") && switchboard.online("mirror"));
    }

    @AfterAll
    void cleanUp() {
        clients.forEach(ChannelsClient::close);
        if (switchboard != null) {
            switchboard.destroy();
        }
    }

    @BeforeEach
    void browser(TestInfo test) throws Exception {
        chromium = HeadlessChromium.start(test);
        chromium.driver().manage().window().setSize(new Dimension(1400, 1500));
    }

    @AfterEach
    void closeBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void theTabIsLiveSendsAndSwitchesAnEndpointOffAndOn() throws Exception {
        chromium.open(HeadlessChromium.withCredentials("http://127.0.0.1:" + switchboard.httpPort
                + "/system/console/switchboard", "admin", switchboard.password()));
        assertTrue(chromium.driver().getTitle().startsWith("Switchboard " + version + " Web Console"),
                chromium.driver().getTitle());
        chromium.await(d -> Boolean.TRUE.equals(js("return [...document.images].some(i => "
                + "i.src.endsWith('/switchboard/res/switchboard-logo.svg') && i.complete && i.naturalWidth > 0);")));
        chromium.awaitText(state("demo"), "ONLINE");
        chromium.awaitText(state("mirror"), "ONLINE");
        chromium.await(d -> !d.findElements(By.cssSelector("[data-endpoint='demo'] .sb-panel table")).isEmpty());
        // a mark on this page: gone if anything below reloaded it
        js("window.notReloaded = true;");

        ChannelsClient alice = client(demoPort).join("chat:lobby");
        ChannelsClient bob = client(mirrorPort).join("chat:lobby");
        AtomicInteger said = new AtomicInteger();
        ScheduledExecutorService talk = Executors.newSingleThreadScheduledExecutor();
        talk.scheduleAtFixedRate(() -> {
            try {
                alice.say("chat:lobby", "alice", "message " + said.incrementAndGet());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
        try {
            chromium.await(d -> number(figure("demo", "messagesIn")) >= 20 && number(figure("mirror", "messagesOut")) >= 20);
            chromium.await(d -> number(figure("demo", "rateIn")) > 0 && number(figure("mirror", "rateOut")) > 0);
            chromium.await(d -> number(chartPeak("[data-endpoint='demo']")) > 0
                    && number(chartPeak("[data-gateway='demo']")) > 0);
            // the subscriber alice and bob made shows in the channels panel
            chromium.await(d -> text("[data-endpoint='demo'] .sb-panel").contains("chat:lobby"));
            chromium.screenshot("console-tab");
        } finally {
            talk.shutdownNow();
        }
        await("bob on mirror gets alice's messages", Duration.ofSeconds(30), () -> bob.received("message 20"));
        assertEquals(Boolean.TRUE, js("return window.notReloaded === true;"), "the page was not reloaded");

        // a test message into mirror's chat:lobby, where bob listens
        WebElement mirror = chromium.driver().findElement(By.cssSelector("[data-endpoint='mirror']"));
        mirror.findElement(By.cssSelector(".sb-channel")).sendKeys("chat:lobby");
        mirror.findElement(By.cssSelector(".sb-text")).sendKeys("hello from the console");
        mirror.findElement(By.cssSelector(".sb-send-button")).click();
        chromium.awaitText(By.id("sb-notice"), "sent to mirror chat:lobby");
        await("bob gets the console's message", Duration.ofSeconds(30), () -> bob.received("hello from the console"));

        // a restart: mirror goes off and comes back, its status newer than before
        String before = text("[data-endpoint='mirror'] .sb-since");
        chromium.driver().findElement(By.cssSelector("[data-endpoint='mirror'] .sb-restart")).click();
        chromium.awaitText(By.id("sb-notice"), "endpoint mirror restarting");
        chromium.await(d -> "ONLINE".equals(text("[data-endpoint='mirror'] .sb-state"))
                && !text("[data-endpoint='mirror'] .sb-since").split(" \\(")[0].equals(before.split(" \\(")[0]));

        // off, and on again, with the endpoint's own button
        chromium.driver().findElement(By.cssSelector("[data-endpoint='demo'] .sb-toggle")).click();
        chromium.awaitText(state("demo"), "OFFLINE");
        chromium.await(d -> text("[data-endpoint='demo'] .sb-reason").contains("disabled")
                && text("[data-endpoint='demo'] .sb-toggle").equals("Enable"));
        chromium.awaitText(state("mirror"), "ONLINE");
        chromium.screenshot("console-tab-demo-disabled");
        chromium.driver().findElement(By.cssSelector("[data-endpoint='demo'] .sb-toggle")).click();
        chromium.awaitText(state("demo"), "ONLINE");
        chromium.await(d -> text("[data-endpoint='demo'] .sb-toggle").equals("Disable"));
        assertEquals(Boolean.TRUE, js("return window.notReloaded === true;"), "the page was not reloaded");
        assertTrue(switchboard.online("demo"));
    }

    @Test
    void actionsWithoutThePagesTokenAreRefused() throws Exception {
        // bad inputs: a POST as another site's page would send it (no token), and one with a made-up token
        assertEquals(403, switchboard.post("/system/console/switchboard/action", "action=disable&endpoint=demo").statusCode());
        assertTrue(switchboard.online("demo"));
    }

    private static By state(String endpoint) {
        return By.cssSelector("[data-endpoint='" + endpoint + "'] .sb-state");
    }

    private String figure(String endpoint, String name) {
        return text("[data-endpoint='" + endpoint + "'] [data-figure='" + name + "'] b");
    }

    private String chartPeak(String card) {
        return (String) js("const e = document.querySelector(arguments[0]); return e ? e.getAttribute('data-peak') : null;",
                card + " .sb-chart");
    }

    /**
     * The text of the element {@code css} names, read in the page in one step: the tab redraws its
     * figures every second, so an element found first and read after may be gone (stale) by then.
     */
    private String text(String css) {
        return (String) js("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css);
    }

    private static double number(String text) {
        try {
            return text == null ? 0 : Double.parseDouble(text.replace(",", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Object js(String script, Object... arguments) {
        return ((JavascriptExecutor) chromium.driver()).executeScript(script, arguments);
    }

    private ChannelsClient client(int port) throws Exception {
        ChannelsClient client = ChannelsClient.connect(switchboard.wsUri(port, "/"));
        clients.add(client);
        return client;
    }
}

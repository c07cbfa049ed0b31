package dev.switchboard.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;

/**
 * The browser support itself, against a JDK HTTP server on loopback with a page behind HTTP Basic
 * auth (as the Web Console's): credentials in the URL log in, wrong ones do not, and a name that is
 * not a loopback name resolves nowhere (the browser never reaches the network).
 */
class HeadlessChromiumTest {

    private static final String USER = "admin";
    private static final String PASSWORD = "p@ss word:1";
    private static HttpServer server;
    private static final List<String> hosts = new CopyOnWriteArrayList<>();
    private HeadlessChromium chromium;

    @BeforeAll
    static void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/admin/", exchange -> {
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            send(exchange, "<h1 id=\"welcome\">Welcome, " + exchange.getPrincipal().getUsername() + "</h1>");
        }).setAuthenticator(new BasicAuthenticator("Test Console") {
            @Override
            public boolean checkCredentials(String user, String password) {
                return USER.equals(user) && PASSWORD.equals(password);
            }
        });
        server.start();
    }

    @AfterAll
    static void stopServing() {
        if (server != null) {
            server.stop(0);
        }
    }

    @BeforeEach
    void startBrowser(TestInfo test) throws IOException {
        chromium = HeadlessChromium.start(test);
    }

    @AfterEach
    void closeBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void credentialsInTheUrlAnswerBasicAuthOnAnAppDotLocalhostName() {
        String url = "http://app.localhost:" + server.getAddress().getPort() + "/admin/";
        chromium.open(HeadlessChromium.withCredentials(url, USER, PASSWORD));
        chromium.awaitText(By.id("welcome"), "Welcome, " + USER);
        assertTrue(hosts.contains("app.localhost:" + server.getAddress().getPort()), hosts.toString());
        chromium.screenshot("headless-chromium-basic-auth");
    }

    /** Bad input: a wrong password, and none at all. */
    @Test
    void wrongOrMissingCredentialsShowNoPage() {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/admin/";
        chromium.open(HeadlessChromium.withCredentials(url, USER, "wrong"));
        assertTrue(chromium.driver().findElements(By.id("welcome")).isEmpty(), chromium.driver().getPageSource());
        chromium.open(url);
        assertTrue(chromium.driver().findElements(By.id("welcome")).isEmpty(), chromium.driver().getPageSource());
    }

    /** Bad input: a name outside loopback; the resolver rules answer it without asking DNS. */
    @Test
    void namesBeyondLoopbackDoNotResolve() {
        WebDriverException refused = assertThrows(WebDriverException.class, () -> chromium.open("http://example.com/"));
        assertTrue(refused.getMessage().contains("ERR_NAME_NOT_RESOLVED"), refused.getMessage());
    }

    private static void send(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = ("<!doctype html><html><body>" + body + "</body></html>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

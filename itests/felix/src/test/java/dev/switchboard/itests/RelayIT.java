package dev.switchboard.itests;

import java.util.List;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The relay adapter: a relay server and a relay client in one Felix, tunnel "app" exposing the local web app. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RelayIT extends TunnelTestSupport {

    private static final String TOKEN = "relay-it-token-0123456789abcdef";

    @Override
    protected String bundle() {
        return "dev.switchboard.relay";
    }

    @Override
    protected String front() {
        return "relay-it";
    }

    @Override
    protected String back() {
        return "relay-it-app";
    }

    @Override
    protected String tunnel() {
        return "app";
    }

    @Override
    protected List<String> events() {
        return List.of("registered", "websocket-opened", "websocket-closed");
    }

    /** The tunnel is also the default one, so requests to 127.0.0.1:port (a Host naming no tunnel) reach it. */
    @Override
    protected int configureTunnel(String serviceUrl) throws Exception {
        int port = freePort();
        configure("dev.switchboard.relay.server", "it", "id", front(), "port", port, "tokens", TOKEN,
                "defaultTunnel", tunnel());
        configure("dev.switchboard.relay.client", "it", "id", back(), "relayUrl",
                "ws://127.0.0.1:" + port + "/_relay/control", "token", TOKEN, "tunnel", tunnel(), "localUrl", serviceUrl);
        return port;
    }
}

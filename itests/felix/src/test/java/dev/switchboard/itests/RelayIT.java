package dev.switchboard.itests;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The relay adapter: a relay server and a relay client in one Felix, tunnel "app" exposing the local web app. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RelayIT extends TunnelTestSupport {

    private static final String TOKEN = "relay-it-token-0123456789abcdef";

    public RelayIT() {
        super("dev.switchboard.relay", "relay-it", "relay-it-app", "app",
                new Events("registered", "websocket-opened", "websocket-closed", "bytesIn"));
    }

    /** The tunnel is also the default one, so requests to 127.0.0.1:port (a Host naming no tunnel) reach it. */
    @Override
    protected int configureTunnel(String serviceUrl) throws Exception {
        int port = freePort();
        configure("dev.switchboard.relay.server", "it", "id", "relay-it", "port", port, "tokens", TOKEN,
                "defaultTunnel", "app");
        configure("dev.switchboard.relay.client", "it", "id", "relay-it-app", "relayUrl",
                "ws://127.0.0.1:" + port + "/_relay/control", "token", TOKEN, "tunnel", "app", "localUrl", serviceUrl);
        return port;
    }
}

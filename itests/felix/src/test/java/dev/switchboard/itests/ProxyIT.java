package dev.switchboard.itests;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The proxy adapter: a controller and an agent "home" in one Felix, every request routed to the agent's service "web". */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProxyIT extends TunnelTestSupport {

    private static final String TOKEN = "proxy-it-token-0123456789abcdef";

    public ProxyIT() {
        super("dev.switchboard.proxy", "proxy-it", "proxy-it-agent", "home", new Events("connected", "opened", "closed", "bytesToService"));
    }

    @Override
    protected int configureTunnel(String serviceUrl) throws Exception {
        int port = freePort();
        int agentPort = freePort();
        configure("dev.switchboard.proxy.controller", "it", "id", "proxy-it", "port", port, "agentPort", agentPort,
                "agents", new String[] {"home:" + TOKEN}, "routes", new String[] {"* -> home/web"});
        configure("dev.switchboard.proxy.agent", "it", "id", "proxy-it-agent", "controllerUrl",
                "ws://127.0.0.1:" + agentPort + "/_agent", "name", "home", "token", TOKEN,
                "services", new String[] {"web=" + serviceUrl});
        return port;
    }
}

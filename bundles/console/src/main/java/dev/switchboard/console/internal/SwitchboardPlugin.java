package dev.switchboard.console.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.servlet.Servlet;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.felix.webconsole.AbstractWebConsolePlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Web Console tab "Switchboard" ({@code /system/console/switchboard}): every endpoint with a
 * coloured status, its counters, its messages in and out per second over the last five minutes
 * and its adapter's panel; every gateway the same way; buttons to switch an endpoint off and on,
 * restart it and send it a test message. The page draws itself from
 * {@code /system/console/switchboard.json} (or {@code ?format=json}, for scripts too), which it
 * reads again every second ({@code ?history=T} adds the rates sampled after T), and follows
 * {@code /system/console/switchboard/status.json?after=N} to show each status change at once.
 *
 * <p>The buttons POST to {@code /system/console/switchboard/action} behind the Web Console's own
 * login. The Web Console of Karaf 4.4 has no CSRF token of its own for plugins, so the page sends
 * this plugin's: a random value in a header (which a page of another site cannot set without the
 * browser asking first), checked here together with the {@code Origin} header.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + SwitchboardPlugin.LABEL,
    "felix.webconsole.title=Switchboard",
    "felix.webconsole.category=Switchboard"
})
public class SwitchboardPlugin extends AbstractWebConsolePlugin {

    static final String LABEL = "switchboard";
    static final String TOKEN_HEADER = "X-Switchboard-Token";
    static final Duration STATUS_WAIT = Duration.ofSeconds(25);

    private static final long serialVersionUID = 1L;
    /** The logo every Web Console page shows ({@link ConsoleBranding}). */
    static final String LOGO = "switchboard-logo.svg";

    /** What the bundle serves under {@code switchboard/res/}: the page's script, style, chart library and logo. */
    private static final Set<String> RESOURCES =
            Set.of("switchboard.js", "switchboard.css", "uPlot.iife.min.js", "uPlot.min.css", LOGO);

    private final transient EndpointDirectory directory;
    private final transient StatusFeed statusFeed;
    private final transient TrafficHistory traffic;
    private final transient EndpointActions actions;
    private final String token;

    @Activate
    public SwitchboardPlugin(@Reference EndpointDirectory directory, @Reference StatusFeed statusFeed,
                             @Reference TrafficHistory traffic, @Reference EndpointActions actions) {
        this.directory = directory;
        this.statusFeed = statusFeed;
        this.traffic = traffic;
        this.actions = actions;
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.token = HexFormat.of().formatHex(random);
    }

    @Override
    public String getLabel() {
        return LABEL;
    }

    @Override
    public String getTitle() {
        return "Switchboard";
    }

    @Override
    public String getCategory() {
        return "Switchboard";
    }

    /** The Web Console serves {@code switchboard/res/…} from here (found by its name). */
    public URL getResource(String path) {
        String prefix = "/" + LABEL + "/res/";
        if (path == null || !path.startsWith(prefix) || !RESOURCES.contains(path.substring(prefix.length()))) {
            return null;
        }
        return getClass().getResource("/res/" + path.substring(prefix.length()));
    }

    @Override
    protected boolean isHtmlRequest(HttpServletRequest request) {
        return !isJsonRequest(request);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        if (isStatusRequest(request)) {
            long after;
            try {
                after = Long.parseLong(request.getParameter("after"));
            } catch (NumberFormatException e) {
                after = statusFeed.latest();
            }
            List<StatusFeed.Change> changes;
            try {
                changes = statusFeed.after(after, STATUS_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                changes = List.of();
            }
            json(response, JsonReport.changes(statusFeed.latest(), changes));
            return;
        }
        if (isJsonRequest(request)) {
            json(response, JsonReport.render(directory.overview(), traffic, historyAfter(request)));
            return;
        }
        super.doGet(request, response);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null || !path.equals("/" + LABEL + "/action")) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        if (!sameOrigin(request) || !validToken(request.getHeader(TOKEN_HEADER))) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "missing or wrong " + TOKEN_HEADER);
            return;
        }
        ActionResult result = new ConsoleAction(directory, actions).run(request.getParameter("action"),
                request.getParameter("endpoint"), request.getParameter("channel"), request.getParameter("text"));
        response.setStatus(result.ok() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_BAD_REQUEST);
        json(response, JsonReport.result(result));
    }

    @Override
    protected void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        render(statusFeed.latest(), token, response.getWriter());
    }

    boolean validToken(String candidate) {
        return candidate != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** A browser's POST from a page of another origin names that origin; none (curl, scripts) is fine. */
    static boolean sameOrigin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return true;
        }
        try {
            URI uri = URI.create(origin);
            String host = request.getHeader("Host");
            return host != null && host.equalsIgnoreCase(uri.getRawAuthority());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static boolean isStatusRequest(HttpServletRequest request) {
        String path = request.getPathInfo();
        return path != null && path.endsWith("/status.json");
    }

    static boolean isJsonRequest(HttpServletRequest request) {
        String path = request.getPathInfo();
        return (path != null && path.endsWith(".json")) || "json".equals(request.getParameter("format"));
    }

    private static long historyAfter(HttpServletRequest request) {
        try {
            String after = request.getParameter("history");
            return after == null ? -1 : Math.max(0, Long.parseLong(after));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void json(HttpServletResponse response, String body) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(body);
    }

    /**
     * The tab's HTML: places the page's script fills from the JSON view (every value from an
     * adapter goes in as text, never as markup), the action token and the status feed's position.
     */
    static void render(long statusSeq, String token, PrintWriter out) {
        out.println("<link rel='stylesheet' href='" + LABEL + "/res/uPlot.min.css'>");
        out.println("<link rel='stylesheet' href='" + LABEL + "/res/switchboard.css'>");
        out.println("<div id='sb' data-label='" + LABEL + "' data-token='" + token + "' data-seq='" + statusSeq + "'>");
        out.println("<p class='statline' id='sb-totals'>Loading…</p>");
        out.println("<p id='sb-notice' role='status'></p>");
        out.println("<h2 class='sb-heading'>Endpoints</h2><div id='sb-endpoints'></div>");
        out.println("<h2 class='sb-heading'>Gateways</h2><div id='sb-gateways'></div>");
        out.println("</div>");
        out.println("<script src='" + LABEL + "/res/uPlot.iife.min.js'></script>");
        out.println("<script src='" + LABEL + "/res/switchboard.js'></script>");
    }

    /** What an action did, in words; {@code ok} false when it could not. */
    record ActionResult(boolean ok, String message) {
    }
}

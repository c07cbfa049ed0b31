package dev.switchboard.console.internal;

import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.MemberInfo;
import dev.switchboard.router.SinkInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import javax.servlet.Servlet;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.felix.webconsole.AbstractWebConsolePlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Web Console tab "Switchboard" ({@code /system/console/switchboard}): endpoints with status
 * and counters, gateways with members and queues, and a message rate computed in the page from
 * the JSON view. {@code /system/console/switchboard.json} (or {@code ?format=json}) serves the
 * same as JSON for scripts. {@code /system/console/switchboard/status.json?after=N} answers the
 * endpoints' status changes numbered after N as they happen (waiting up to
 * {@link #STATUS_WAIT} for one), which the page follows to show each change without a reload.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + SwitchboardPlugin.LABEL,
    "felix.webconsole.title=Switchboard",
    "felix.webconsole.category=Switchboard"
})
public class SwitchboardPlugin extends AbstractWebConsolePlugin {

    static final String LABEL = "switchboard";
    static final Duration STATUS_WAIT = Duration.ofSeconds(25);

    private static final long serialVersionUID = 1L;

    private final transient EndpointDirectory directory;
    private final transient StatusFeed statusFeed;

    @Activate
    public SwitchboardPlugin(@Reference EndpointDirectory directory, @Reference StatusFeed statusFeed) {
        this.directory = directory;
        this.statusFeed = statusFeed;
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
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-store");
            response.getWriter().write(JsonReport.changes(statusFeed.latest(), changes));
            return;
        }
        if (isJsonRequest(request)) {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-store");
            response.getWriter().write(JsonReport.render(directory.overview()));
            return;
        }
        super.doGet(request, response);
    }

    @Override
    protected void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        render(directory.overview(), statusFeed.latest(), response.getWriter());
    }

    static boolean isStatusRequest(HttpServletRequest request) {
        String path = request.getPathInfo();
        return path != null && path.endsWith("/status.json");
    }

    static boolean isJsonRequest(HttpServletRequest request) {
        String path = request.getPathInfo();
        return (path != null && path.endsWith(".json")) || "json".equals(request.getParameter("format"));
    }

    /** The tab's HTML, in the Web Console's table styles. */
    static void render(Overview overview, long statusSeq, PrintWriter out) {
        out.println("<p class='statline'>" + overview.endpoints().size() + " endpoints, " + overview.online()
                + " online; messages in " + overview.messagesIn() + ", out " + overview.messagesOut()
                + "; rate <span id='sb-rate'>…</span> msg/s. <a href='" + LABEL + ".json'>JSON</a></p>");
        out.println("<table class='tablesorter nicetable' id='sb-endpoints'><thead><tr><th>Endpoint</th><th>Protocol</th>"
                + "<th>Status</th><th>Msgs in</th><th>Msgs out</th><th>Bytes in</th><th>Bytes out</th><th>Errors</th>"
                + "<th>Reconnects</th><th>Details</th></tr></thead><tbody>");
        if (overview.endpoints().isEmpty()) {
            out.println("<tr><td colspan='10'>No endpoints configured.</td></tr>");
        }
        for (EndpointView e : overview.endpoints()) {
            out.println("<tr class='sb-" + e.status().state().name().toLowerCase() + "' data-endpoint='"
                    + esc(e.id()) + "'><td>" + esc(e.id()) + "</td><td>" + esc(e.protocol())
                    + "</td><td class='sb-status'>" + esc(TextReport.status(e.status())) + "</td><td>"
                    + e.metrics().messagesIn() + "</td><td>" + e.metrics().messagesOut() + "</td><td>"
                    + e.metrics().bytesIn() + "</td><td>" + e.metrics().bytesOut() + "</td><td>"
                    + e.metrics().errors() + "</td><td>" + e.metrics().reconnects() + "</td><td>"
                    + esc(TextReport.details(e.metrics().details())) + "</td></tr>");
        }
        out.println("</tbody></table>");

        out.println("<h2>Gateways</h2>");
        if (!overview.routerPresent()) {
            out.println("<p>The router is not running.</p>");
        } else if (overview.gateways().isEmpty()) {
            out.println("<p>No gateways configured (factory PID dev.switchboard.gateway).</p>");
        }
        for (GatewayInfo g : overview.gateways()) {
            out.println("<h3>" + esc(g.name()) + " — " + (g.active() ? "active" : "inactive: " + esc(g.reason()))
                    + "; routed " + g.routed() + ", duplicates " + g.duplicates() + ", loops blocked "
                    + g.loopsBlocked() + "</h3>");
            out.println("<table class='nicetable'><thead><tr><th>Member</th><th>Channel</th><th>Direction</th>"
                    + "<th>Source</th><th>Sink</th><th>Queued</th><th>Delivered</th><th>Failed</th><th>Dropped</th>"
                    + "</tr></thead><tbody>");
            for (MemberInfo m : g.members()) {
                SinkInfo s = g.sinks().stream().filter(x -> x.endpoint().equals(m.endpoint())).findFirst().orElse(null);
                out.println("<tr><td>" + esc(m.endpoint()) + "</td><td>" + esc(m.channel()) + "</td><td>"
                        + m.direction().name().toLowerCase() + "</td><td>" + (m.sourcePresent() ? "yes" : "absent")
                        + "</td><td>" + (m.sinkPresent() ? "yes" : "absent") + "</td><td>"
                        + (s == null ? "-" : s.queued()) + "</td><td>" + (s == null ? "-" : s.delivered())
                        + "</td><td>" + (s == null ? "-" : s.failed()) + "</td><td>" + (s == null ? "-" : s.dropped())
                        + "</td></tr>");
            }
            out.println("</tbody></table>");
        }
        // the rate needs two samples: poll the JSON view and show the difference per second
        out.println("<script>(function(){var last=null;function poll(){fetch('" + LABEL
                + ".json',{credentials:'same-origin'}).then(function(r){return r.json();}).then(function(j){"
                + "var n=j.totals.messagesIn+j.totals.messagesOut,t=Date.parse(j.time);"
                + "if(last&&t>last.t){document.getElementById('sb-rate').textContent=((n-last.n)*1000/(t-last.t)).toFixed(1);}"
                + "last={n:n,t:t};}).catch(function(){});}poll();setInterval(poll,2000);})();</script>");
        // each status change as it happens, from the endpoints' status events
        out.println("<script>(function(){var seq=" + statusSeq + ";function follow(){fetch('" + LABEL
                + "/status.json?after='+seq,{credentials:'same-origin'}).then(function(r){return r.json();})"
                + ".then(function(j){j.changes.forEach(function(c){seq=Math.max(seq,c.seq);"
                + "var row=document.querySelector('tr[data-endpoint=\"'+CSS.escape(c.endpoint)+'\"]');"
                + "if(!row){return;}row.className='sb-'+c.state.toLowerCase();"
                + "row.querySelector('.sb-status').textContent=c.text;});follow();})"
                + ".catch(function(){setTimeout(follow,2000);});}follow();})();</script>");
    }

    private static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}

package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.Message;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;

/**
 * The example adapter of docs/adapters.md, as a user runs it: its bundle installed beside the
 * others, an endpoint configured through Config Admin, routed through gateways.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EchoIT extends SwitchboardTestSupport {

    private static final String COMPONENT = "dev.switchboard.example.echo.internal.EchoAdapter";

    @Inject
    ServiceComponentRuntime scr;

    @Test
    public void whatAGatewaySendsComesBackThroughAnother() throws Exception {
        TestSource chat = source("echo-chat");
        org.osgi.service.cm.Configuration configuration = echo("echo-main", "prefix", "echo: ");
        recordingSink("echo-archive");
        Recorder archive = recorder("echo-archive");
        gateway("to-echo", Members.in("echo-chat", "lobby"), Members.out("echo-main", "lobby"));
        gateway("from-echo", Members.in("echo-main", "lobby"), Members.out("echo-archive", "log"));
        await("the echo endpoint is online", () -> endpointState("echo-main") == State.ONLINE);
        awaitGatewayReady("to-echo");
        awaitGatewayReady("from-echo");

        Message sent = chat.emit("lobby", "ada", "hello");
        await("the echo reached the archive", () -> archive.size() > 0);
        Message echo = archive.messages.get(0);
        assertEquals("echo-main", echo.endpoint());
        assertEquals("log", echo.channel());
        assertEquals(Map.of("echoOf", sent.id()), echo.data());
        // each gateway puts its nick format before the text: the echo's prefix sits between them
        assertTrue(echo.text(), echo.text().matches(".*<ada> echo: .*<ada> hello"));

        // an edit of the prefix applies to the next echo, without a restart
        Dictionary<String, Object> edited = configuration.getProperties();
        edited.put("prefix", "again: ");
        configuration.update(edited);
        await("the edit is applied", () -> {
            chat.emit("lobby", "ada", "probe");
            return archive.messages.stream().anyMatch(m -> m.text().endsWith("again: [test] <ada> probe"));
        });
        // behind a marker, nothing but echoes arrived, one per message sent
        Message marker = chat.emit("lobby", "ada", "marker");
        await("the marker's echo arrived", () -> echoes(archive, marker));
        List<Object> echoed = archive.messages.stream().<Object>map(m -> ((Map<?, ?>) m.data()).get("echoOf")).toList();
        assertEquals("one echo per message: " + echoed, echoed.size(), new HashSet<>(echoed).size());
        assertEquals(sent.id(), echoed.get(0));
        assertEquals(marker.id(), echoed.get(echoed.size() - 1));
    }

    /**
     * Renaming an endpoint (its {@code id} edited) re-registers its services under the new name: the
     * router delivers what it held for the new name and routes the renamed source, the old name is gone.
     */
    @Test
    public void aRenamedEndpointIsRoutedUnderItsNewId() throws Exception {
        TestSource chat = source("rename-chat");
        org.osgi.service.cm.Configuration configuration = echo("rename-old");
        recordingSink("rename-archive");
        Recorder archive = recorder("rename-archive");
        gateway("to-renamed", Members.in("rename-chat", "lobby"), Members.out("rename-new", "lobby"));
        gateway("from-renamed", Members.in("rename-new", "lobby"), Members.out("rename-archive", "log"));
        await("rename-old is online", () -> endpointState("rename-old") == State.ONLINE);
        await("both gateways are active, waiting for rename-new", () -> gatewayInfo("to-renamed").map(g -> g.active())
                .orElse(false) && gatewayInfo("from-renamed").map(g -> g.active()).orElse(false));
        // nobody is named rename-new yet: the router holds this one
        Message held = chat.emit("lobby", "ada", "held for the new name");

        Dictionary<String, Object> edited = configuration.getProperties();
        edited.put("id", "rename-new");
        configuration.update(edited);
        await("the renamed endpoint is online under its new id", () -> endpointState("rename-new") == State.ONLINE);
        await("the held message was echoed by the renamed endpoint", () -> echoes(archive, held));
        Message after = chat.emit("lobby", "ada", "after the rename");
        await("a message sent after the rename is echoed", () -> echoes(archive, after));
        assertEquals("rename-new", archive.messages.get(0).endpoint());
        assertNull("the old name is gone", endpointStatus("rename-old"));
    }

    /** Bad input: a value out of its range is a status with the key's name, never an exception out of the component. */
    @Test
    public void aValueOutOfRangeIsAConfigurationErrorNamingIt() throws Exception {
        org.osgi.service.cm.Configuration configuration = echo("echo-bad", "prefix", "fine: ", "delayMillis", 600_000);
        await("echo-bad reports its configuration error", () -> {
            EndpointStatus status = endpointStatus("echo-bad");
            return status != null && status.detail() == Detail.CONFIGURATION_ERROR;
        });
        EndpointStatus status = endpointStatus("echo-bad");
        assertEquals(State.OFFLINE, status.state());
        assertTrue(status.reason(), status.reason().contains("delayMillis = 600000"));
        // an activation that threw would leave the configuration FAILED_ACTIVATION, with the exception
        Await.until("SCR reports the component active, its activation having thrown nothing",
                () -> echoComponentStates("echo-bad").equals(List.of("active, no failure")),
                () -> echoComponentStates("echo-bad"));

        Dictionary<String, Object> fixed = configuration.getProperties();
        fixed.put("delayMillis", 5);
        configuration.update(fixed);
        await("echo-bad is online once fixed", () -> endpointState("echo-bad") == State.ONLINE);
    }

    private static boolean echoes(Recorder archive, Message original) {
        return archive.messages.stream()
                .anyMatch(m -> m.data() instanceof Map<?, ?> data && original.id().equals(data.get("echoOf")));
    }

    /** The state of the echo component's configuration for endpoint {@code id}, as SCR reports it. */
    private List<String> echoComponentStates(String id) {
        return scr.getComponentDescriptionDTOs().stream()
                .filter(description -> description.name.equals(COMPONENT))
                .flatMap(description -> scr.getComponentConfigurationDTOs(description).stream())
                .filter(configuration -> id.equals(configuration.properties.get("id")))
                .map(configuration -> (configuration.state == ComponentConfigurationDTO.ACTIVE ? "active" : "state "
                        + configuration.state) + (configuration.failure == null ? ", no failure" : ", " + configuration.failure))
                .toList();
    }
}

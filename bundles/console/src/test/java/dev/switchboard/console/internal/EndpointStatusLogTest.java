package dev.switchboard.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointStatusLogTest {

    private static final class Changing implements Endpoint {
        volatile EndpointStatus status = EndpointStatus.connecting("connecting to ws://127.0.0.1:1/");
        volatile boolean broken;

        @Override
        public String id() {
            return "kosmi.main";
        }

        @Override
        public String protocol() {
            return "kosmi";
        }

        @Override
        public EndpointStatus status() {
            if (broken) {
                throw new IllegalStateException("adapter bug");
            }
            return status;
        }

        @Override
        public EndpointMetrics metrics() {
            return EndpointMetrics.EMPTY;
        }
    }

    @Test
    void oneLinePerChangeOfStateOrReason() {
        EndpointStatusLog log = new EndpointStatusLog();
        Changing endpoint = new Changing();
        log.addEndpoint(endpoint);

        assertEquals(List.of("Endpoint kosmi.main (kosmi) is CONNECTING: connecting to ws://127.0.0.1:1/"), log.poll());
        assertEquals(List.of(), log.poll(), "nothing changed, nothing logged");

        endpoint.status = EndpointStatus.online("joined @room");
        assertEquals(List.of("Endpoint kosmi.main (kosmi) is ONLINE: joined @room"), log.poll());

        endpoint.status = EndpointStatus.connecting("closed with code 1006; retry 1 in 1000 ms");
        endpoint.status = EndpointStatus.connecting("closed with code 1006; retry 2 in 2000 ms");
        assertEquals(List.of("Endpoint kosmi.main (kosmi) is CONNECTING: closed with code 1006; retry 2 in 2000 ms"),
                log.poll());
    }

    /** Bad input: an endpoint whose status() throws is skipped; the others are still logged. */
    @Test
    void aThrowingEndpointDoesNotStopTheOthers() {
        EndpointStatusLog log = new EndpointStatusLog();
        Changing broken = new Changing();
        broken.broken = true;
        Endpoint steady = new Endpoint() {
            @Override
            public String id() {
                return "demo";
            }

            @Override
            public String protocol() {
                return "channels";
            }

            @Override
            public EndpointStatus status() {
                return EndpointStatus.online("listening on 127.0.0.1:8025");
            }

            @Override
            public EndpointMetrics metrics() {
                return EndpointMetrics.EMPTY;
            }
        };
        log.addEndpoint(broken);
        log.addEndpoint(steady);
        assertEquals(List.of("Endpoint demo (channels) is ONLINE: listening on 127.0.0.1:8025"), log.poll());
    }
}

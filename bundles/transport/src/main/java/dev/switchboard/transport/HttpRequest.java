package dev.switchboard.transport;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A plain HTTP request as a {@link HttpHandler} sees it. */
public interface HttpRequest {

    String method();

    /** The decoded path, without query string. */
    String path();

    /** The raw query string, or an empty string. */
    String query();

    /** Every header, names in lower case, in arrival order. */
    Map<String, List<String>> headers();

    /** The first value of a header, by case-insensitive name. */
    Optional<String> header(String name);

    InputStream body();

    InetSocketAddress remoteAddress();
}

package dev.switchboard.itests;

/** Gateway member strings in the syntax the router's Metatype documents. */
final class Members {

    private Members() {
    }

    static String in(String endpoint, String channel) {
        return endpoint + ":" + channel + " in";
    }

    static String out(String endpoint, String channel) {
        return endpoint + ":" + channel + " out";
    }

    static String inout(String endpoint, String channel) {
        return endpoint + ":" + channel + " inout";
    }
}

package dev.switchboard.transport.internal;

/**
 * Runs Tyrus calls with the thread context class loader set to this bundle's loader: Tyrus finds
 * its containers and configurators by name through the TCCL (tyrus#659, tyrus#888), and this
 * bundle imports those packages and ships the configurator's service file.
 */
final class TyrusClassLoading {

    @FunctionalInterface
    interface TyrusCall<T, E extends Exception> {
        T call() throws E;
    }

    private TyrusClassLoading() {
    }

    static <T, E extends Exception> T call(TyrusCall<T, E> call) throws E {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(TyrusClassLoading.class.getClassLoader());
        try {
            return call.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}

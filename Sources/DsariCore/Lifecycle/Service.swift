/// A long-running part of dsari-daemon or dsari-prometheus-exporter: the
/// HTTP server, the NRPE listener, the passive-result senders. Each has the
/// same life: it serves from the moment its initializer returns (a part
/// that cannot start throws there, naming the reason) until `stop()`.
///
/// The commands keep what they started in a `Services` list and stop it in
/// reverse order when they end, also when a later part could not start.
public protocol Service: AnyObject, Sendable {
    /// Stops serving and returns once it has stopped (its threads joined or
    /// ended, its sockets closed), unless called from its own thread.
    /// Calling it again does nothing.
    func stop()
}

/// The services a command started, stopped in reverse order of starting.
public struct Services: ~Copyable {
    private var started: [any Service] = []

    public init() {}

    /// Keeps `service` to be stopped by `stopAll()`; returns it.
    @discardableResult
    public mutating func add<S: Service>(_ service: S) -> S {
        started.append(service)
        return service
    }

    /// Stops every service, the last started first.
    public mutating func stopAll() {
        for service in started.reversed() { service.stop() }
        started.removeAll()
    }

    deinit {
        for service in started.reversed() { service.stop() }
    }
}

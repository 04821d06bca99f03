import DsariCore
import Foundation
import Logging
import Synchronization

/// Submits each check result to every `passive_results` destination — the
/// agent side of NSCA, Nagios' command file and the Icinga 2 API. Each
/// destination has its own queue on disk and its own sender; `submit`
/// only hands the result over, so the scheduler never waits for a network.
public final class PassiveResults: Service {
    public typealias Log = @Sendable (Logger.Level, String, [String: String]) -> Void

    private let dataDirectory: String
    private let log: Log
    private let clock: @Sendable () -> Double
    private let deliveries = Mutex<[String: PassiveDelivery]>([:])

    public init(
        dataDirectory: String, destinations: [PassiveDestination], log: @escaping Log,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.dataDirectory = dataDirectory
        self.log = log
        self.clock = clock
        reload(destinations)
    }

    /// Hands a result to every destination.
    public func submit(_ result: PassiveResult) {
        for delivery in deliveries.withLock({ Array($0.values) }) { delivery.submit(result) }
    }

    /// Takes a new list of destinations: unchanged ones go on, new ones
    /// start (with what their queue holds), removed ones stop — their queue
    /// stays on disk for when they come back.
    public func reload(_ destinations: [PassiveDestination]) {
        let current = deliveries.withLock { $0 }
        let kept = current.filter { name, delivery in destinations.contains { $0.name == name && $0 == delivery.destination } }
        // Stopped before a successor opens the same queue directory.
        for (name, delivery) in current where kept[name] == nil { delivery.stop() }
        var next = kept
        for destination in destinations where next[destination.name] == nil {
            do {
                next[destination.name] = try PassiveDelivery(destination: destination, dataDirectory: dataDirectory, log: log, clock: clock)
            } catch {
                log(
                    .error, "cannot open the queue of a passive_results destination",
                    ["destination": destination.name, "reason": "\(error)"])
            }
        }
        deliveries.withLock { $0 = next }
    }

    /// Stops every sender after its attempt under way.
    public func stop() {
        let all = deliveries.withLock { current in
            defer { current = [:] }
            return Array(current.values)
        }
        for delivery in all { delivery.stop() }
    }
}

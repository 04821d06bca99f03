import DsariCore
import Foundation
import Logging
import Synchronization

/// One destination's sender: takes results into its on-disk queue and sends
/// them in order on a queue of its own, one at a time. While the
/// destination fails, the first result waits and is tried again after 1 s,
/// 2 s, 4 s … up to a minute; results older than `max_age` are dropped and
/// counted instead of sent (Nagios would take them for stale anyway).
final class PassiveDelivery: @unchecked Sendable {
    // @unchecked: every mutable property is used on `queue` only.
    let destination: PassiveDestination
    private let queue: DispatchQueue
    private let store: PassiveQueue
    private let transport: any PassiveTransport
    private let log: PassiveResults.Log
    private let clock: @Sendable () -> Double
    private var backoff: Double = 0
    private var retryPending = false
    private var stopped = false

    static let firstBackoff: Double = 1
    static let maximumBackoff: Double = 60

    init(
        destination: PassiveDestination, dataDirectory: String, log: @escaping PassiveResults.Log,
        clock: @escaping @Sendable () -> Double
    ) throws {
        self.destination = destination
        self.log = log
        self.clock = clock
        queue = DispatchQueue(label: "dsari.passive.\(destination.name)")
        store = try PassiveQueue(dataDirectory: dataDirectory, destination: destination.name)
        transport = Self.transport(for: destination)
        if store.count > 0 {
            log(.info, "results left from before are sent first", ["destination": destination.name, "pending": "\(store.count)"])
        }
        queue.async { self.pump() }
    }

    static func transport(for destination: PassiveDestination) -> any PassiveTransport {
        switch destination.kind {
        case .nsca(let host, let port, let encryption, let password):
            NSCATransport(host: host, port: port, encryption: encryption, password: password, timeout: destination.timeout)
        case .commandFile(let path): CommandFileTransport(path: path)
        case .checkResultSpool(let directory): CheckResultSpoolTransport(directory: directory)
        case .icinga2(let endpoint): Icinga2Transport(endpoint: endpoint, timeout: destination.timeout)
        }
    }

    /// Queues a result (on disk before anything is sent) and sends what it can.
    func submit(_ result: PassiveResult) {
        queue.async { [self] in
            do {
                try store.append(result)
            } catch {
                log(
                    .error, "cannot queue a check result; it is lost",
                    ["destination": destination.name, "job": result.jobName, "reason": "\(error)"])
                return
            }
            if !retryPending { pump() }
        }
    }

    /// Stops after the attempt under way; what waits stays on disk for the next start.
    func stop() {
        queue.sync { stopped = true }
    }

    /// Sends waiting results, oldest first, until the queue is empty or the
    /// destination fails (then a retry is scheduled).
    private func pump() {
        while !stopped, let entry = store.oldest() {
            let now = clock()
            guard let result = entry.result else {
                store.remove(entry, outcome: .rejected("\(entry.path) is not a queued result"), at: now)
                log(.error, "a queued result cannot be read; dropped", ["destination": destination.name, "file": entry.path])
                continue
            }
            if now - result.endTime > destination.maxAge {
                store.remove(entry, outcome: .expired, at: now)
                log(
                    .warning, "check result older than max_age dropped",
                    ["destination": destination.name, "job": result.jobName, "run": result.runID])
                continue
            }
            do throws(PassiveSendError) {
                try transport.send(result)
                store.remove(entry, outcome: .sent, at: clock())
                if backoff > 0 {
                    log(.info, "delivering again", ["destination": destination.name, "pending": "\(store.count)"])
                }
                backoff = 0
            } catch {
                switch error {
                case .rejected(let reason):
                    store.remove(entry, outcome: .rejected(reason), at: clock())
                    log(
                        .warning, "check result refused by the destination; dropped",
                        ["destination": destination.name, "job": result.jobName, "reason": reason])
                case .unavailable(let reason):
                    store.recordFailure(reason, at: clock())
                    if backoff == 0 {
                        log(
                            .warning, "cannot deliver check results; retrying with backoff",
                            ["destination": destination.name, "reason": reason, "pending": "\(store.count)"])
                    }
                    backoff = backoff == 0 ? Self.firstBackoff : min(backoff * 2, Self.maximumBackoff)
                    retryPending = true
                    queue.asyncAfter(deadline: .now() + backoff) { [self] in
                        retryPending = false
                        pump()
                    }
                    return
                }
            }
        }
    }
}

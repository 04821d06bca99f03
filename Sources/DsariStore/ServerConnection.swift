import Foundation
import Synchronization

/// A connection to a database server that can tell it was lost.
protocol DatabaseServerConnection: AnyObject {
    var isHealthy: Bool { get }
}

/// The one connection of a server-backed store (PostgreSQL, MySQL), used
/// under one lock: opened at start, retried for `connectTimeout` seconds
/// while the server cannot be reached; a connection that failed is dropped
/// and made again at the next use.
final class ServerConnection<Connection: DatabaseServerConnection>: Sendable {
    private final class Box: @unchecked Sendable {
        // @unchecked: only touched under `box`'s lock.
        var current: Connection?
    }

    private let open: @Sendable () throws -> Connection
    private let box = Mutex(Box())

    /// Connects with `open`, calling `waiting` with each failure while the
    /// server is unreachable and `connectTimeout` seconds have not passed,
    /// then `prepare` (migrations) on the new connection.
    init(
        connectTimeout: Double, waiting: (RunStoreError) -> Void, open: @escaping @Sendable () throws -> Connection,
        prepare: (Connection) throws -> Void = { _ in }
    ) throws {
        self.open = open
        let deadline = Date().addingTimeInterval(connectTimeout)
        var opened: Connection?
        while opened == nil {
            do {
                opened = try open()
            } catch let error as RunStoreError where error.kind == .unreachable && Date() < deadline {
                waiting(error)
                Thread.sleep(forTimeInterval: min(2, max(0.1, deadline.timeIntervalSinceNow)))
            }
        }
        if let opened { try prepare(opened) }
        box.withLock { $0.current = opened }
    }

    /// Runs `body` with a live connection, under the lock; a connection
    /// that failed is dropped, so the next call connects again.
    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        try box.withLock { box in
            if box.current == nil || box.current?.isHealthy == false {
                box.current = nil
                box.current = try open()
            }
            guard let live = box.current else { throw RunStoreError(.unreachable, operation: "connect", message: "no connection") }
            do {
                return try body(live)
            } catch let error as RunStoreError where error.kind == .unreachable {
                box.current = nil
                throw error
            }
        }
    }
}

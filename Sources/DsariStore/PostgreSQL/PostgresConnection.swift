import CLibPQ
import Foundation

/// The one owner of a libpq `PGconn`: connects, runs statements with text
/// parameters, closes in `deinit`. Nothing outside DsariStore imports libpq.
///
/// libpq rather than PostgresNIO: NIO and its dependencies cost minutes of
/// build time on every two-core CI run, and the store is synchronous behind
/// one lock anyway.
///
/// Not thread-safe by itself; `PostgresRunStore` serializes every use.
final class PostgresConnection: DatabaseServerConnection {
    typealias Handle = OpaquePointer

    let handle: Handle
    /// "host:port/dbname" as libpq resolved it, for messages (never the password).
    let endpoint: String

    /// Connects with a libpq connection string or URI (`dsn`); libpq's
    /// `PG*` environment variables and `~/.pgpass` apply as in every libpq
    /// client. `connectTimeout`: seconds per attempt unless `dsn` sets
    /// `connect_timeout` itself. The session's time zone is UTC (see
    /// `PostgresRunStore`).
    init(dsn: String, applicationName: String, connectTimeout: Int) throws {
        // Ours first: the expanded dsn (dbname) comes after them and wins.
        let keywords = ["application_name", "connect_timeout", "dbname"]
        let values = [applicationName, String(connectTimeout), dsn]
        let connection = Self.withArrayOfCStrings(keywords) { keywordPointers in
            Self.withArrayOfCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw RunStoreError(.failed, operation: "connect to PostgreSQL", message: "out of memory")
        }
        let endpoint = Self.endpoint(connection)
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(PQerrorMessage(connection))
            PQfinish(connection)
            throw RunStoreError(Self.connectFailureKind(message), operation: "connect to PostgreSQL \(endpoint)", message: message)
        }
        self.handle = connection
        self.endpoint = endpoint
        // Notices (e.g. "relation already exists, skipping") are not errors; keep stderr clean.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        try execute("SET TimeZone = 'UTC'")
    }

    deinit {
        PQfinish(handle)
    }

    /// Whether the connection is still usable (a lost one reports CONNECTION_BAD).
    var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Runs one or more statements without parameters or results.
    func execute(_ sql: String) throws {
        let result = PostgresResult(PQexec(handle, sql), connection: self)
        try result.check(operation: String(sql.prefix(60)))
    }

    /// Runs one statement with text parameters (nil = NULL); all rows at once.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws -> PostgresResult {
        let result = withParameters(parameters) { values in
            PostgresResult(PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0), connection: self)
        }
        try result.check(operation: String(sql.prefix(60)))
        return result
    }

    /// Runs one statement and calls `body` with each row as it arrives
    /// (libpq's single-row mode), so that a large history is never held in
    /// memory at once.
    func forEachRow(_ sql: String, _ parameters: [String?] = [], _ body: (PostgresResult) throws -> Void) throws {
        let sent = withParameters(parameters) { values in
            PQsendQueryParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else {
            throw RunStoreError(
                Self.kind(sqlState: nil, message: Self.message(PQerrorMessage(handle)), healthy: isHealthy),
                operation: String(sql.prefix(60)), message: Self.message(PQerrorMessage(handle)))
        }
        PQsetSingleRowMode(handle)
        var failure: Error?
        // Every result must be read, even after an error, before the connection can be used again.
        while let raw = PQgetResult(handle) {
            let result = PostgresResult(raw, connection: self)
            guard failure == nil else { continue }
            do {
                if PQresultStatus(raw) == PGRES_SINGLE_TUPLE {
                    try body(result)
                } else {
                    try result.check(operation: String(sql.prefix(60)))
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Runs `body` in a transaction, rolling back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if isHealthy { try? execute("ROLLBACK") }
            throw error
        }
    }

    private func withParameters<T>(_ parameters: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T) -> T {
        // Each value is copied into memory that lives until libpq returns.
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    private static func withArrayOfCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    static func message(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func endpoint(_ connection: Handle) -> String {
        func text(_ value: UnsafeMutablePointer<CChar>?) -> String { value.map { String(cString: $0) } ?? "" }
        let host = text(PQhost(connection))
        let port = text(PQport(connection))
        let database = text(PQdb(connection))
        return "\(host.isEmpty ? "localhost" : host)\(port.isEmpty ? "" : ":\(port)")/\(database)"
    }

    /// A refused login is not an outage; anything else before a session exists is.
    private static func connectFailureKind(_ message: String) -> RunStoreError.Kind {
        let lowered = message.lowercased()
        let refused = ["authentication failed", "password", "does not exist", "no pg_hba.conf entry", "permission denied"]
        return refused.contains { lowered.contains($0) } ? .failed : .unreachable
    }

    /// The kind of a failed statement from its SQLSTATE (PostgreSQL's error codes, appendix A).
    static func kind(sqlState: String?, message: String, healthy: Bool) -> RunStoreError.Kind {
        guard healthy else { return .unreachable }
        guard let state = sqlState else { return .failed }
        switch state {
        case _ where state.hasPrefix("08"), "57P01", "57P02", "57P03": return .unreachable
        case "55P03", "40P01", "40001": return .locked
        case "25006": return .readOnly
        case "53100": return .full
        case "XX001", "XX002": return .corrupt
        default: return .failed
        }
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}

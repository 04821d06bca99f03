import CLibPQ

/// The one owner of a libpq `PGresult`, cleared in `deinit`: its rows as
/// text, the way the statements ask for them.
final class PostgresResult {
    let handle: OpaquePointer?
    unowned let connection: PostgresConnection

    init(_ handle: OpaquePointer?, connection: PostgresConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit {
        PQclear(handle)
    }

    /// Throws a `RunStoreError` unless the statement succeeded.
    func check(operation: @autoclosure () -> String) throws {
        let status = PQresultStatus(handle)
        guard handle == nil || ![PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_EMPTY_QUERY].contains(status) else {
            return
        }
        let sqlState = handle.flatMap { PQresultErrorField($0, clibpq_diag_sqlstate()) }.map { String(cString: $0) }
        let message = PostgresConnection.message(handle.map { PQresultErrorMessage($0) } ?? PQerrorMessage(connection.handle))
        throw RunStoreError(
            PostgresConnection.kind(sqlState: sqlState, message: message, healthy: connection.isHealthy), operation: operation(),
            message: message)
    }

    var rowCount: Int { Int(PQntuples(handle)) }

    func isNull(_ row: Int, _ column: Int32) -> Bool { PQgetisnull(handle, Int32(row), column) == 1 }

    func text(_ row: Int, _ column: Int32) -> String? {
        guard !isNull(row, column), let value = PQgetvalue(handle, Int32(row), column) else { return nil }
        return String(cString: value)
    }

    func double(_ row: Int, _ column: Int32) -> Double? { text(row, column).flatMap(Double.init) }
    func integer(_ row: Int, _ column: Int32) -> Int64? { text(row, column).flatMap { Int64($0) } }

    /// A text column's bytes as libpq holds them (empty for NULL), valid only inside `body`.
    func withUTF8<R>(_ row: Int, _ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard !isNull(row, column), let value = PQgetvalue(handle, Int32(row), column) else {
            return try body(UnsafeBufferPointer(start: nil, count: 0))
        }
        let count = Int(PQgetlength(handle, Int32(row), column))
        return try value.withMemoryRebound(to: UInt8.self, capacity: count) { try body(UnsafeBufferPointer(start: $0, count: count)) }
    }
}

@available(*, unavailable)
extension PostgresResult: Sendable {}

import CSQLite

/// A prepared statement, finalized in `deinit`. Bind with `bind(_:)`, step
/// with `step()`/`rows()`; it resets itself before each binding so it can be reused.
final class SQLiteStatement {
    /// A value for a `?` parameter.
    enum Value {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
    }

    let handle: OpaquePointer
    unowned let connection: SQLiteConnection

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `values` to its parameters in order.
    @discardableResult
    func bind(_ values: [Value]) throws -> SQLiteStatement {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .real(let number): code = sqlite3_bind_double(handle, index, number)
            case .text(let text): code = sqlite3_bind_text(handle, index, text, -1, csqlite_transient())
            }
            try connection.check(code, "bind parameter \(index)")
        }
        return self
    }

    /// Steps once: true when a row is available.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        // The common cases first: this runs once per row read.
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        try connection.check(code, "step \(String(cString: sqlite3_sql(handle)).prefix(60))")
        return false
    }

    /// Runs a statement that returns no rows.
    func run(_ values: [Value] = []) throws {
        try bind(values)
        defer { reset() }
        while try step() {}
    }

    /// Ends the statement's current execution (and with it the read
    /// transaction it holds open while it has rows left); bindings are
    /// cleared so that no bound text is kept alive.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func real(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: bytes)
    }
    func optionalReal(_ column: Int32) -> Double? { isNull(column) ? nil : real(column) }
    func optionalInteger(_ column: Int32) -> Int64? { isNull(column) ? nil : integer(column) }
}

@available(*, unavailable)
extension SQLiteStatement: Sendable {}

extension SQLiteStatement {
    /// Calls `body` with a text column's UTF-8 bytes as SQLite holds them
    /// (empty for NULL), without copying them into a `String`. The bytes
    /// are valid only inside `body`.
    func withUTF8<R>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard let bytes = sqlite3_column_text(handle, column) else {
            return try body(UnsafeBufferPointer(start: nil, count: 0))
        }
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeBufferPointer(start: bytes, count: count))
    }
}

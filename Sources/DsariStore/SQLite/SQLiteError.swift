/// A failed SQLite call: which call, SQLite's result code and message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let code: Int32
    public let message: String

    public var description: String { "SQLite \(call) failed (\(code)): \(message)" }

    /// SQLITE_BUSY / SQLITE_LOCKED: another process holds the database.
    public var isBusy: Bool { code & 0xFF == 5 || code & 0xFF == 6 }
    /// SQLITE_READONLY, SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN: the file cannot take writes now.
    public var isUnwritable: Bool { [8, 13, 10, 14].contains(code & 0xFF) }
}

extension SQLiteError {
    /// The same failure as the one error type callers see.
    var runStoreError: RunStoreError {
        let kind: RunStoreError.Kind =
            switch code & 0xFF {
            case 5, 6: .locked  // SQLITE_BUSY, SQLITE_LOCKED
            case 8: .readOnly  // SQLITE_READONLY
            case 13: .full  // SQLITE_FULL
            case 11, 26: .corrupt  // SQLITE_CORRUPT, SQLITE_NOTADB
            case 10, 14: .unreachable  // SQLITE_IOERR, SQLITE_CANTOPEN: the file cannot be reached
            default: .failed
            }
        return RunStoreError(kind, operation: "SQLite \(call)", message: "\(message) (\(code))")
    }
}

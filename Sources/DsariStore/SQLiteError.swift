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

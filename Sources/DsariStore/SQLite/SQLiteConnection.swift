import CSQLite

/// The one owner of an `sqlite3` handle: opens it, runs statements, closes it
/// in `deinit`. Nothing outside DsariStore imports CSQLite.
///
/// Not thread-safe by itself (opened with SQLITE_OPEN_NOMUTEX); `RunStore`
/// serializes every use behind its lock.
final class SQLiteConnection {
    typealias Handle = OpaquePointer

    let handle: Handle
    let path: String

    init(path: String, readOnly: Bool = false) throws {
        var opened: Handle?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let opened { sqlite3_close_v2(opened) }
            throw SQLiteError(call: "open \(path)", code: code, message: message)
        }
        // SQLite quietly opens a file it cannot write read-only; a writer
        // would then run jobs it can never record. Refuse it here.
        if !readOnly, sqlite3_db_readonly(opened, "main") == 1 {
            sqlite3_close_v2(opened)
            throw SQLiteError(
                call: "open \(path)", code: SQLITE_READONLY, message: "the file or its file system is read-only; runs could not be recorded"
            )
        }
        self.handle = opened
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Throws an error naming `call` unless `code` is one of `accepted`.
    @discardableResult
    func check(_ code: Int32, _ call: @autoclosure () -> String, accepted: Set<Int32> = [SQLITE_OK]) throws -> Int32 {
        guard accepted.contains(code) else {
            throw SQLiteError(call: call(), code: code, message: String(cString: sqlite3_errmsg(handle)))
        }
        return code
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws {
        try check(sqlite3_exec(handle, sql, nil, nil, nil), "exec \(sql.prefix(60))")
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        try check(sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil), "prepare \(sql.prefix(60))")
        guard let statement else { throw SQLiteError(call: "prepare", code: SQLITE_MISUSE, message: "empty statement") }
        return SQLiteStatement(handle: statement, connection: self)
    }

    /// Runs `body` in `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var changes: Int { Int(sqlite3_changes(handle)) }

    /// How long statements wait for another connection's lock before SQLITE_BUSY.
    func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }
}

@available(*, unavailable)
extension SQLiteConnection: Sendable {}

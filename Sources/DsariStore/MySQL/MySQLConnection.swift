import CMariaDB
import DsariCore
import Foundation

/// The one owner of a MariaDB Connector/C `MYSQL` handle: connects, runs
/// statements (values escaped by the library for the connection's
/// character set), streams rows, closes in `deinit`. Nothing outside
/// DsariStore imports the client library.
///
/// Every session: `utf8mb4` (4-byte characters such as emoji survive),
/// `time_zone = '+00:00'` (so `FROM_UNIXTIME`/`UNIX_TIMESTAMP` read and
/// write the `datetime(6)` columns as UTC wall-clock times; see
/// `MySQLRunStore`), strict SQL mode without `ANSI_QUOTES` or
/// `NO_BACKSLASH_ESCAPES` (a value too long is an error, never silently
/// cut; escaping means what the library assumes), READ COMMITTED.
///
/// Not thread-safe by itself; `MySQLRunStore` serializes every use.
final class MySQLConnection: DatabaseServerConnection {
    let handle: UnsafeMutablePointer<MYSQL>
    /// "user@host:port/db" for messages (never the password).
    let endpoint: String
    /// False once the server was lost: the store connects again.
    private(set) var isHealthy = true
    /// The session's `innodb_lock_wait_timeout` as last set (seconds).
    private var lockWaitSeconds: Int?

    /// Seconds a read or write on the socket may block before the server
    /// counts as lost (a network that drops packets instead of refusing).
    static let socketTimeout: UInt32 = 60
    /// The server's default `innodb_lock_wait_timeout`, for calls without a wait of their own.
    static let defaultLockWaitSeconds = 50

    init(options: MySQLConnectionOptions, connectTimeout: Int) throws {
        guard let handle = mysql_init(nil) else {
            throw RunStoreError(.failed, operation: "connect to MySQL", message: "out of memory")
        }
        var attempt = UInt32(options.connectTimeout ?? connectTimeout)
        var socketTimeout = Self.socketTimeout
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &attempt)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &socketTimeout)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &socketTimeout)
        if let file = options.readDefaultFile {
            let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
            let path = file.hasPrefix("~/") ? DsariPaths.join(home, String(file.dropFirst(2))) : file
            // Connector/C skips an option file it cannot read, and the login then fails for a reason nobody sees.
            guard FileManager.default.isReadableFile(atPath: path) else {
                mysql_close(handle)
                throw RunStoreError(
                    .failed, operation: "connect to MySQL \(options.description)",
                    message: "the option file \(path) (read_default_file) cannot be read")
            }
            mysql_options(handle, MYSQL_READ_DEFAULT_FILE, path)
            // Connector/C reads an option file's [client] group only when a group is named.
            mysql_options(handle, MYSQL_READ_DEFAULT_GROUP, options.readDefaultGroup ?? "client")
        } else if let group = options.readDefaultGroup {
            mysql_options(handle, MYSQL_READ_DEFAULT_GROUP, group)
        }
        // After the option file: utf8mb4 whatever it names.
        mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        if let tls = options.tls {
            mysql_ssl_set(handle, tls.key, tls.cert, tls.ca, tls.capath, tls.cipher)
            // TLS or no connection; with a CA, the server's certificate (and name) is verified.
            var enforce: my_bool = 1
            mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &enforce)
            var verify: my_bool = tls.ca != nil || tls.capath != nil ? 1 : 0
            mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify)
        }
        let endpoint = options.description
        // Several statements per call (`batch`): a transaction is one round trip. Every value is escaped (`literal`).
        let connected = mysql_real_connect(
            handle, options.host, options.user, options.password, options.database, UInt32(options.port ?? 0), options.unixSocket,
            UInt(CLIENT_MULTI_STATEMENTS))
        guard connected != nil else {
            let number = mysql_errno(handle)
            let message = Self.message(handle)
            mysql_close(handle)
            throw RunStoreError(Self.connectFailureKind(number), operation: "connect to MySQL \(endpoint)", message: message)
        }
        self.handle = handle
        self.endpoint = endpoint
        try execute("SET time_zone = '+00:00'")
        try execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'")
        try execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
    }

    deinit {
        mysql_close(handle)
    }

    /// Runs one statement, discarding any result.
    func execute(_ sql: String) throws {
        try send(sql)
        if let result = mysql_store_result(handle) { mysql_free_result(result) }
    }

    /// Runs one statement and returns its rows (all at once: for small results).
    @discardableResult
    func query(_ sql: String) throws -> MySQLRows {
        try send(sql)
        guard let result = mysql_store_result(handle) else {
            if mysql_field_count(handle) > 0 { throw failure(sql) }
            return MySQLRows(rows: [])
        }
        defer { mysql_free_result(result) }
        let columns = Int(mysql_num_fields(result))
        var rows: [[String?]] = []
        while let row = mysql_fetch_row(result) {
            let current = MySQLRow(row: row, lengths: mysql_fetch_lengths(result), columns: columns)
            rows.append((0..<columns).map { current.text(Int32($0)) })
        }
        return MySQLRows(rows: rows)
    }

    /// Runs one statement and calls `body` with each row as it arrives from
    /// the server (`mysql_use_result`), so a large history is never held in
    /// memory at once. The row is valid only inside `body`.
    func forEachRow(_ sql: String, _ body: (MySQLRow) throws -> Void) throws {
        try send(sql)
        guard let result = mysql_use_result(handle) else { throw failure(sql) }
        defer { mysql_free_result(result) }
        let columns = Int(mysql_num_fields(result))
        var failed: Error?
        // Every row must be fetched, even after `body` threw, before the connection can be used again.
        while let row = mysql_fetch_row(result) {
            guard failed == nil else { continue }
            do {
                try body(MySQLRow(row: row, lengths: mysql_fetch_lengths(result), columns: columns))
            } catch {
                failed = error
            }
        }
        if mysql_errno(handle) != 0 { throw failure(sql) }
        if let failed { throw failed }
    }

    /// Runs `statements` as one transaction in one round trip (the server
    /// runs them in order and stops at the first error, which is then
    /// rolled back). Waits for another session's row locks at most
    /// `lockWaitMilliseconds` (rounded up to whole seconds, InnoDB's unit;
    /// nil: the server's default 50 s).
    func batch(lockWaitMilliseconds: Int32? = nil, _ statements: [String]) throws {
        let wait = lockWaitMilliseconds.map { max(1, (Int($0) + 999) / 1000) } ?? Self.defaultLockWaitSeconds
        var all = wait != lockWaitSeconds ? ["SET SESSION innodb_lock_wait_timeout = \(wait)"] : []
        all += ["START TRANSACTION"] + statements + ["COMMIT"]
        let sql = all.joined(separator: ";\n")
        do {
            try send(sql)
            while true {
                if let result = mysql_store_result(handle) { mysql_free_result(result) }
                let next = mysql_next_result(handle)
                if next > 0 { throw failure(sql) }
                if next < 0 { break }
            }
            lockWaitSeconds = wait
        } catch {
            lockWaitSeconds = nil
            if isHealthy { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// `text` as a quoted SQL string literal, escaped for this connection.
    func literal(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var escaped = [CChar](repeating: 0, count: bytes.count * 2 + 1)
        let length = bytes.withUnsafeMutableBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { mysql_real_escape_string(handle, &escaped, $0.baseAddress, UInt(source.count)) }
        }
        let body = escaped.prefix(Int(length)).map { UInt8(bitPattern: $0) }
        return "'" + String(decoding: body, as: UTF8.self) + "'"
    }

    /// `text` as a literal, or NULL.
    func literal(_ text: String?) -> String { text.map { literal($0) } ?? "NULL" }

    private func send(_ sql: String) throws {
        let status = sql.utf8CString.withUnsafeBufferPointer { mysql_real_query(handle, $0.baseAddress, UInt($0.count - 1)) }
        if status != 0 { throw failure(sql) }
    }

    /// The error of the last call, classified; a lost server marks the connection unusable.
    private func failure(_ sql: String) -> RunStoreError {
        let number = mysql_errno(handle)
        let kind = Self.kind(errorNumber: number)
        if kind == .unreachable { isHealthy = false }
        return RunStoreError(kind, operation: String(sql.prefix(60)), message: Self.message(handle))
    }

    private static func message(_ handle: UnsafeMutablePointer<MYSQL>) -> String {
        let number = mysql_errno(handle)
        let text = mysql_error(handle).map { String(cString: $0) } ?? "unknown error"
        return "\(text) (error \(number))"
    }

    /// A refused login or a missing database is not an outage; anything else before a session exists is.
    private static func connectFailureKind(_ number: UInt32) -> RunStoreError.Kind {
        switch Int32(number) {
        case ER_ACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR, ER_BAD_DB_ERROR, CR_SSL_CONNECTION_ERROR: .failed
        default: .unreachable
        }
    }

    /// The kind of a failed statement from its error number (the server's
    /// `mysqld_error.h`, the client's `errmsg.h`).
    static func kind(errorNumber number: UInt32) -> RunStoreError.Kind {
        switch Int32(number) {
        case CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_SERVER_LOST_EXTENDED, CR_UNKNOWN_HOST,
            ER_SERVER_SHUTDOWN, ER_CONNECTION_KILLED, ER_CON_COUNT_ERROR:
            .unreachable
        case ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK: .locked
        case ER_OPTION_PREVENTS_STATEMENT, ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION, ER_READ_ONLY_MODE: .readOnly
        case ER_RECORD_FILE_FULL, ER_DISK_FULL: .full
        case ER_CRASHED_ON_USAGE, ER_CRASHED_ON_REPAIR, ER_NOT_KEYFILE: .corrupt
        default: .failed
        }
    }
}

@available(*, unavailable)
extension MySQLConnection: Sendable {}

/// The current row of a result: its columns as the server sent them (text
/// protocol), valid until the next row is fetched.
struct MySQLRow {
    let row: MYSQL_ROW
    let lengths: UnsafeMutablePointer<UInt>?
    let columns: Int

    /// The column's text; nil for NULL.
    func text(_ column: Int32) -> String? {
        withBytes(column) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    func double(_ column: Int32) -> Double? { text(column).flatMap(Double.init) }

    func integer(_ column: Int32) -> Int64? { text(column).flatMap { Int64($0) } }

    /// Calls `body` with the column's bytes (empty for NULL), without making a `String`.
    func withUTF8<R>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withBytes(column) { try body($0 ?? UnsafeBufferPointer(start: nil, count: 0)) }
    }

    private func withBytes<R>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
        guard Int(column) < columns, let value = row[Int(column)] else { return try body(nil) }
        let count = Int(lengths?[Int(column)] ?? UInt(strlen(value)))
        return try value.withMemoryRebound(to: UInt8.self, capacity: count) { try body(UnsafeBufferPointer(start: $0, count: count)) }
    }
}

/// A whole (small) result, read at once.
struct MySQLRows {
    let rows: [[String?]]

    var count: Int { rows.count }

    func text(_ row: Int, _ column: Int) -> String? {
        row < rows.count && column < rows[row].count ? rows[row][column] : nil
    }

    func double(_ row: Int, _ column: Int) -> Double? { text(row, column).flatMap(Double.init) }

    func integer(_ row: Int, _ column: Int) -> Int64? { text(row, column).flatMap { Int64($0) } }
}

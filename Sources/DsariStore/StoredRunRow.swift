import DsariCore

/// One run as `forEachRun` reads it: the columns of the current row,
/// decoded only when asked for. Valid only inside the callback that
/// received it.
public struct StoredRunRow {
    /// The columns, in the order every backend selects them.
    public enum Column: Int32, Sendable {
        case jobName = 0, runID, scheduleTime, startTime, stopTime, exitCode, triggerType, triggerData, runData, hostName
    }

    /// Where the row's columns are read from.
    enum Source {
        case sqlite(SQLiteStatement)
        /// Row 0 of a single-row result (libpq's single-row mode).
        case postgres(PostgresResult)
        /// The current row of a streamed MySQL result.
        case mysql(MySQLRow)
        /// Columns already read as text (MySQL's running runs, merged into a stream).
        case texts([String?])
    }

    let source: Source
    /// The host of a row whose `host_name` is NULL: SQLite's rows are all the
    /// store's host's; PostgreSQL's and MySQL's without one were written by dsari 2.0 ("").
    let hostFallback: String

    init(statement: SQLiteStatement, host: String) {
        source = .sqlite(statement)
        hostFallback = host
    }

    init(result: PostgresResult) {
        source = .postgres(result)
        hostFallback = ""
    }

    init(row: MySQLRow) {
        source = .mysql(row)
        hostFallback = ""
    }

    init(columns: [String?]) {
        source = .texts(columns)
        hostFallback = ""
    }

    private func text(_ column: Column) -> String? {
        switch source {
        case .sqlite(let statement): statement.text(column.rawValue)
        case .postgres(let result): result.text(0, column.rawValue)
        case .mysql(let row): row.text(column.rawValue)
        case .texts(let columns): Int(column.rawValue) < columns.count ? columns[Int(column.rawValue)] : nil
        }
    }

    private func double(_ column: Column) -> Double? {
        switch source {
        case .sqlite(let statement): statement.optionalReal(column.rawValue)
        case .postgres(let result): result.double(0, column.rawValue)
        case .mysql(let row): row.double(column.rawValue)
        case .texts: text(column).flatMap(Double.init)
        }
    }

    public var jobName: String { text(.jobName) ?? "" }
    public var runID: String { text(.runID) ?? "" }
    public var scheduleTime: Double { double(.scheduleTime) ?? 0 }
    public var startTime: Double { double(.startTime) ?? 0 }
    /// nil while the run is running.
    public var stopTime: Double? { double(.stopTime) }
    /// nil while the run is running.
    public var exitCode: Int? {
        switch source {
        case .sqlite(let statement): statement.optionalInteger(Column.exitCode.rawValue).map { Int($0) }
        case .postgres(let result): result.integer(0, Column.exitCode.rawValue).map { Int($0) }
        case .mysql(let row): row.integer(Column.exitCode.rawValue).map { Int($0) }
        case .texts: text(.exitCode).flatMap { Int($0) }
        }
    }
    public var triggerType: String { text(.triggerType) ?? "" }
    /// The host that ran it ("" when no host claims it).
    public var hostName: String { text(.hostName) ?? hostFallback }

    /// Calls `body` with a text column's UTF-8 bytes (empty for NULL),
    /// without making a `String`; for `triggerData`/`runData` that is the
    /// stored JSON text. The bytes are valid only inside `body`.
    public func withUTF8<R>(_ column: Column, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        switch source {
        case .sqlite(let statement): return try statement.withUTF8(column.rawValue, body)
        case .postgres(let result): return try result.withUTF8(0, column.rawValue, body)
        case .mysql(let row): return try row.withUTF8(column.rawValue, body)
        case .texts: return try Array((text(column) ?? "").utf8).withUnsafeBufferPointer(body)
        }
    }

    /// The whole run, its JSON columns parsed.
    public var record: RunRecord {
        RunRecord(
            jobName: jobName, runID: runID, scheduleTime: scheduleTime, startTime: startTime, stopTime: stopTime,
            exitCode: exitCode, triggerType: triggerType, triggerData: ConfigValue(storedJSON: text(.triggerData)),
            runData: ConfigValue(storedJSON: text(.runData)))
    }
}

@available(*, unavailable)
extension StoredRunRow: Sendable {}

import DsariCore

extension RunStore {
    /// The order `forEachRun` delivers runs in.
    public enum RunOrder: Sendable {
        /// Oldest start first.
        case startTime
        /// Newest start first.
        case startTimeDescending
        /// By run id (byte order of the UTF-8, which is code point order: dsari's
        /// `json.dumps(sort_keys=True)`), read along the run id indexes.
        case runID

        var sql: String {
            switch self {
            case .startTime: "ORDER BY start_time"
            case .startTimeDescending: "ORDER BY start_time DESC"
            case .runID: "ORDER BY run_id"
            }
        }
    }

    /// Calls `body` with every run that matches, one row at a time, so that a
    /// listing of a large history never holds it all in memory.
    ///
    /// Filters as `runs(jobNames:runIDs:finished:running:)`. The row is a view
    /// of the statement's current result and is valid only inside `body`;
    /// `body` must not use the store (its lock is held meanwhile).
    public func forEachRun(
        jobNames: [String], runIDs: [String], finished: Bool = true, running: Bool = true, order: RunOrder = .startTime,
        _ body: (StoredRunRow) throws -> Void
    ) throws {
        var conditions: [String] = []
        var values: [SQLiteStatement.Value] = []
        if !jobNames.isEmpty {
            conditions.append("job_name IN (\(Array(repeating: "?", count: jobNames.count).joined(separator: ",")))")
            values += jobNames.map { .text($0) }
        }
        if !runIDs.isEmpty {
            conditions.append("run_id IN (\(Array(repeating: "?", count: runIDs.count).joined(separator: ",")))")
            values += runIDs.map { .text($0) }
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        var parts: [String] = []
        if finished { parts.append("SELECT \(Self.runColumns) FROM runs \(filter)") }
        if running { parts.append("SELECT \(Self.runningColumns) FROM runs_running \(filter)") }
        guard !parts.isEmpty else { return }
        try withConnection { box in
            let statement = try box.db.prepare(parts.joined(separator: " UNION ALL ") + " " + order.sql)
            try statement.bind(parts.count == 2 ? values + values : values)
            defer { statement.reset() }
            let row = StoredRunRow(statement: statement)
            while try statement.step() {
                try body(row)
            }
        }
    }
}

/// One run as `forEachRun` reads it: the columns of the current row,
/// decoded only when asked for. Valid only inside the callback that
/// received it.
public struct StoredRunRow {
    /// The columns, in `RunStore.runColumns` order.
    public enum Column: Int32, Sendable {
        case jobName = 0, runID, scheduleTime, startTime, stopTime, exitCode, triggerType, triggerData, runData
    }

    /// Where the row's columns are read from.
    enum Source {
        case sqlite(SQLiteStatement)
        /// Row 0 of a single-row result (libpq's single-row mode).
        case postgres(PostgresResult)
    }

    let source: Source

    init(statement: SQLiteStatement) { source = .sqlite(statement) }
    init(result: PostgresResult) { source = .postgres(result) }

    private func text(_ column: Column) -> String? {
        switch source {
        case .sqlite(let statement): statement.text(column.rawValue)
        case .postgres(let result): result.text(0, column.rawValue)
        }
    }

    private func double(_ column: Column) -> Double? {
        switch source {
        case .sqlite(let statement): statement.optionalReal(column.rawValue)
        case .postgres(let result): result.double(0, column.rawValue)
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
        }
    }
    public var triggerType: String { text(.triggerType) ?? "" }

    /// Calls `body` with a text column's UTF-8 bytes (empty for NULL),
    /// without making a `String`; for `triggerData`/`runData` that is the
    /// stored JSON text. The bytes are valid only inside `body`.
    public func withUTF8<R>(_ column: Column, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        switch source {
        case .sqlite(let statement): try statement.withUTF8(column.rawValue, body)
        case .postgres(let result): try result.withUTF8(0, column.rawValue, body)
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

import DsariCore
import Foundation
import Synchronization

/// The run history in SQLite, in dsari 2.0's two tables so that databases
/// written by dsari open here and ours open in dsari:
///
///     runs(job_name, run_id, schedule_time, start_time, stop_time, exit_code,
///          trigger_type, trigger_data, run_data)
///     runs_running(job_name, run_id, schedule_time, start_time, trigger_type,
///          trigger_data, run_data)
///
/// A run goes into `runs_running` when it starts and moves to `runs` in one
/// transaction when it ends. Our additions (indexes) come from versioned
/// migrations (`RunStore+Migrations.swift`). WAL mode.
///
/// One connection, used under one lock: calls may come from any thread.
/// A file is one host's history (it has no host column); `hostName` says whose.
public final class SQLiteRunStore: RunStore {
    private let connection: Mutex<ConnectionBox>
    public let path: String
    public let hostName: String

    /// The connection and its prepared statements; only touched under the lock.
    final class ConnectionBox: @unchecked Sendable {
        let db: SQLiteConnection
        var statements: [String: SQLiteStatement] = [:]
        init(db: SQLiteConnection) { self.db = db }

        func statement(_ sql: String) throws -> SQLiteStatement {
            if let cached = statements[sql] { return cached }
            let prepared = try db.prepare(sql)
            statements[sql] = prepared
            return prepared
        }

        /// Runs `body` with the cached statement for `sql` bound to `values`,
        /// and resets it afterwards however `body` ends. A statement left
        /// after `SQLITE_ROW` keeps its read transaction open: the connection
        /// then goes on seeing the database as it was (WAL snapshot) and a
        /// long-lived reader never sees another run.
        func query<T>(_ sql: String, _ values: [SQLiteStatement.Value], _ body: (SQLiteStatement) throws -> T) throws -> T {
            let statement = try statement(sql)
            try statement.bind(values)
            defer { statement.reset() }
            return try body(statement)
        }
    }

    /// Opens (creating when needed) the database at `path` and migrates it.
    public init(path: String, hostName: String = DatabaseConfig.machineHostName(), readOnly: Bool = false) throws {
        self.path = path
        self.hostName = hostName
        let db: SQLiteConnection
        do {
            db = try SQLiteConnection(path: path, readOnly: readOnly)
            db.setBusyTimeout(milliseconds: Self.busyTimeoutMilliseconds)
            if readOnly {
                // Readers (the exporter, dsari-info) read each row once, in order:
                // a small page cache costs nothing and keeps their memory low.
                try db.execute("PRAGMA cache_size = -512")
            } else {
                try Self.prepareForWriting(db)
            }
        } catch let error as SQLiteError {
            throw error.runStoreError
        }
        self.connection = Mutex(ConnectionBox(db: db))
    }

    /// Switches a writer's connection to WAL and migrates the schema.
    ///
    /// Another program opening the same new file at that moment (a second
    /// writer, the `sqlite3` shell) takes locks in another order: SQLite then
    /// answers SQLITE_BUSY at once, without waiting in its busy handler,
    /// because waiting could deadlock. So the whole step is tried again until
    /// the busy timeout has passed, as a statement would have waited.
    static func prepareForWriting(_ db: SQLiteConnection) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(busyTimeoutMilliseconds))
        while true {
            do {
                try db.execute("PRAGMA journal_mode = WAL")
                // In WAL mode NORMAL keeps every committed run across a crash of
                // the daemon (kill -9); FULL would add a sync per commit for power loss.
                try db.execute("PRAGMA synchronous = NORMAL")
                try migrate(db)
                return
            } catch let error as SQLiteError where error.isBusy && ContinuousClock.now < deadline {
                // The other opener holds its lock for a statement or two.
                usleep(5_000)
            }
        }
    }

    /// Runs `body` with the connection, under the lock; SQLite's errors
    /// leave as `RunStoreError`s.
    func withConnection<T>(_ body: (ConnectionBox) throws -> T) throws -> T {
        do {
            return try connection.withLock { box in try body(box) }
        } catch let error as SQLiteError {
            throw error.runStoreError
        }
    }

    static let runColumns =
        "job_name, run_id, schedule_time, start_time, stop_time, exit_code, trigger_type, trigger_data, run_data"
    static let runningColumns =
        "job_name, run_id, schedule_time, start_time, NULL, NULL, trigger_type, trigger_data, run_data"

    /// How long a statement waits for another process's lock, by default.
    static let busyTimeoutMilliseconds: Int32 = 10_000

    /// Applies changes in order, all in one transaction: a run is in exactly
    /// one table at any moment, and many changes cost one commit.
    /// `lockWaitMilliseconds`: how long to wait for another process's write
    /// lock this time (default 10 s). A start already recorded is not
    /// recorded again; a finish moves whatever `runs_running` holds.
    public func apply(_ changes: [RunChange], lockWaitMilliseconds: Int32?) throws {
        guard !changes.isEmpty else { return }
        try withConnection { box in
            if let wait = lockWaitMilliseconds { box.db.setBusyTimeout(milliseconds: wait) }
            defer { if lockWaitMilliseconds != nil { box.db.setBusyTimeout(milliseconds: Self.busyTimeoutMilliseconds) } }
            try box.db.transaction {
                let start = try box.statement(
                    """
                    INSERT INTO runs_running (job_name, run_id, schedule_time, start_time, trigger_type, trigger_data, run_data)
                    SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
                    WHERE NOT EXISTS (SELECT 1 FROM runs_running WHERE run_id = ?2)
                        AND NOT EXISTS (SELECT 1 FROM runs WHERE run_id = ?2)
                    """)
                let insert = try box.statement(
                    """
                    INSERT INTO runs (\(Self.runColumns)) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
                    WHERE NOT EXISTS (SELECT 1 FROM runs WHERE run_id = ?2)
                    """)
                let delete = try box.statement("DELETE FROM runs_running WHERE run_id = ?")
                let update = try box.statement("UPDATE runs_running SET run_data = ? WHERE run_id = ?")
                for change in changes {
                    switch change {
                    case .started(let run):
                        try start.run([
                            .text(run.jobName), .text(run.runID), .real(run.scheduleTime), .real(run.startTime),
                            .text(run.triggerType), .text(run.triggerData.compactJSON), .text(run.runData.compactJSON),
                        ])
                    case .spawned(let runID, let runData):
                        try update.run([.text(runData.compactJSON), .text(runID)])
                    case .finished(let run):
                        try insert.run([
                            .text(run.jobName), .text(run.runID), .real(run.scheduleTime), .real(run.startTime),
                            run.stopTime.map { .real($0) } ?? .null, run.exitCode.map { .integer(Int64($0)) } ?? .null,
                            .text(run.triggerType), .text(run.triggerData.compactJSON), .text(run.runData.compactJSON),
                        ])
                        try delete.run([.text(run.runID)])
                    }
                }
            }
        }
    }

    /// Each is one indexed lookup, whatever the history size.
    public func previousRuns(jobName: String) throws -> PreviousRuns {
        try withConnection { box in
            func latest(_ condition: String) throws -> RunRecord? {
                try box.query(
                    "SELECT \(Self.runColumns) FROM runs WHERE job_name = ? \(condition) ORDER BY stop_time DESC LIMIT 1",
                    [.text(jobName)]
                ) { statement in try statement.step() ? Self.record(statement) : nil }
            }
            return PreviousRuns(
                last: try latest(""),
                good: try latest("AND (exit_code = 0) = 1"),
                bad: try latest("AND (exit_code = 0) = 0"))
        }
    }

    static func record(_ row: SQLiteStatement) -> RunRecord {
        RunRecord(
            jobName: row.text(0) ?? "", runID: row.text(1) ?? "", scheduleTime: row.real(2), startTime: row.real(3),
            stopTime: row.optionalReal(4), exitCode: row.optionalInteger(5).map { Int($0) },
            triggerType: row.text(6) ?? "", triggerData: ConfigValue(storedJSON: row.text(7)),
            runData: ConfigValue(storedJSON: row.text(8)))
    }
}

extension ConfigValue {
    /// One-line JSON as stored in the `trigger_data`/`run_data` columns.
    var compactJSON: String { jsonString(pretty: false, sortedKeys: false) }

    /// A column's JSON; text that is not JSON (written by another tool) is kept as a string.
    public init(storedJSON text: String?) {
        guard let text, !text.isEmpty else {
            self = .mapping([])
            return
        }
        self = (try? ConfigFileReader.parse(text, format: .json, file: "database").value) ?? .string(text)
    }
}

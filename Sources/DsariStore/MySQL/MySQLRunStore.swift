import DsariCore
import Foundation

/// The run history in MySQL or MariaDB (`database: {type: mysql,
/// connection: {…}}`), in dsari 2.0's tables, shared by a fleet: every run
/// carries the `host_name` of the daemon that ran it, and this store's
/// reads for the daemon (previous runs, running runs, check results, the
/// plan) are this host's only.
///
/// Times: `datetime(6)` keeps a wall-clock value as sent. Every session
/// sets `time_zone = '+00:00'`, and times go in with `FROM_UNIXTIME` and
/// come out with `UNIX_TIMESTAMP`, so the columns hold UTC wall-clock times.
/// dsari 2.0 wrote its daemon's local wall-clock time; a fleet mixing both
/// runs dsari 2.0 with `TZ=UTC` (docs/backends.md). `FROM_UNIXTIME` ends
/// in 2038 on MariaDB 10.11.
///
/// One connection under one lock; a lost connection is dropped and made
/// again at the next call (each change is idempotent by run id, so a batch
/// whose commit was lost is simply applied again).
public final class MySQLRunStore: RunStore {
    public let hostName: String
    private let connection: ServerConnection<MySQLConnection>

    /// Seconds one connection attempt may take (unless `connection.connect_timeout` says).
    static let attemptTimeout = 5

    /// Connects (retrying for `connectTimeout` seconds while the server is
    /// unreachable, calling `waiting` with each failure), then creates and
    /// migrates the tables unless `readOnly`.
    public init(
        options: MySQLConnectionOptions, hostName: String, readOnly: Bool = false, connectTimeout: Double = 0,
        waiting: (RunStoreError) -> Void = { _ in }
    ) throws {
        self.hostName = hostName
        connection = try ServerConnection(
            connectTimeout: connectTimeout, waiting: waiting,
            open: { try MySQLConnection(options: options, connectTimeout: Self.attemptTimeout) },
            prepare: { if !readOnly { try Self.migrate($0) } })
    }

    func withConnection<T>(_ body: (MySQLConnection) throws -> T) throws -> T {
        try connection.withConnection(body)
    }

    /// The columns of a `StoredRunRow`, in its order.
    static let runColumns = """
        job_name, run_id, UNIX_TIMESTAMP(schedule_time), UNIX_TIMESTAMP(start_time), UNIX_TIMESTAMP(stop_time), exit_code,
        trigger_type, trigger_data, run_data, host_name
        """
    static let runningColumns = """
        job_name, run_id, UNIX_TIMESTAMP(schedule_time), UNIX_TIMESTAMP(start_time), NULL, NULL,
        trigger_type, trigger_data, run_data, host_name
        """

    /// Applies changes in order in one transaction. Each is idempotent by
    /// run id: applied twice (a commit whose answer was lost), nothing is
    /// doubled. One round trip (`MySQLConnection.batch`). `lockWaitMilliseconds`:
    /// how long to wait for another session's row lock (InnoDB's
    /// `innodb_lock_wait_timeout`, whole seconds).
    public func apply(_ changes: [RunChange], lockWaitMilliseconds: Int32?) throws {
        guard !changes.isEmpty else { return }
        let finishes = changes.contains { if case .finished = $0 { true } else { false } }
        try withConnection { db in
            // Numbering runs in commit order serializes the hosts' commits
            // (migration 2): the counter row is taken first, so that no
            // other lock is held while waiting for it.
            var statements = finishes ? ["SELECT last FROM dsari_swift_runs_counter WHERE id = 1 FOR UPDATE"] : []
            for change in changes {
                switch change {
                case .started(let run):
                    statements.append(
                        """
                        INSERT INTO runs_running (job_name, run_id, schedule_time, start_time, trigger_type, trigger_data, run_data, host_name)
                        VALUES (\(db.literal(run.jobName)), \(db.literal(run.runID)), FROM_UNIXTIME(\(run.scheduleTime.mysqlText)),
                            FROM_UNIXTIME(\(run.startTime.mysqlText)), \(db.literal(run.triggerType)),
                            \(db.literal(run.triggerData.compactJSON)), \(db.literal(run.runData.compactJSON)), \(db.literal(hostName)))
                        ON DUPLICATE KEY UPDATE run_id = run_id
                        """)
                case .spawned(let runID, let runData):
                    statements.append(
                        "UPDATE runs_running SET run_data = \(db.literal(runData.compactJSON)) WHERE run_id = \(db.literal(runID))")
                case .finished(let run):
                    statements.append(
                        """
                        INSERT INTO runs (job_name, run_id, schedule_time, start_time, stop_time, exit_code, trigger_type,
                            trigger_data, run_data, host_name)
                        VALUES (\(db.literal(run.jobName)), \(db.literal(run.runID)), FROM_UNIXTIME(\(run.scheduleTime.mysqlText)),
                            FROM_UNIXTIME(\(run.startTime.mysqlText)), FROM_UNIXTIME(\((run.stopTime ?? run.startTime).mysqlText)),
                            \(run.exitCode ?? -1), \(db.literal(run.triggerType)), \(db.literal(run.triggerData.compactJSON)),
                            \(db.literal(run.runData.compactJSON)), \(db.literal(hostName)))
                        ON DUPLICATE KEY UPDATE run_id = run_id
                        """)
                    statements.append("DELETE FROM runs_running WHERE run_id = \(db.literal(run.runID))")
                }
            }
            try db.batch(lockWaitMilliseconds: lockWaitMilliseconds, statements)
        }
    }

    /// This host's latest finished run, latest with exit code 0 and latest
    /// with another: `PREVIOUS_*`, `PREVIOUS_GOOD_*`, `PREVIOUS_BAD_*`.
    public func previousRuns(jobName: String) throws -> PreviousRuns {
        try withConnection { db in
            func latest(_ condition: String) throws -> RunRecord? {
                var found: RunRecord?
                try db.forEachRow(
                    """
                    SELECT \(Self.runColumns) FROM runs WHERE host_name = \(db.literal(hostName)) AND job_name = \(db.literal(jobName))
                    \(condition) ORDER BY stop_time DESC LIMIT 1
                    """
                ) { row in found = StoredRunRow(row: row).record }
                return found
            }
            return PreviousRuns(last: try latest(""), good: try latest("AND exit_code = 0"), bad: try latest("AND exit_code <> 0"))
        }
    }

    /// Reads the runs `query` selects: the finished ones one row at a time as
    /// the server sends them, the running ones (few) read first and merged
    /// in order. Not one `UNION ALL … ORDER BY`: MariaDB sorts a union with
    /// text columns in a temporary table on disk (three times slower for
    /// 100,000 runs), where each table alone is read in index order.
    public func forEachRun(_ query: RunQuery, _ body: (StoredRunRow) throws -> Void) throws {
        try withConnection { db in
            var conditions: [String] = hostCondition(query.hosts, db).map { [$0] } ?? []
            if !query.jobNames.isEmpty {
                conditions.append("job_name IN (\(query.jobNames.map { db.literal($0) }.joined(separator: ", ")))")
            }
            if !query.runIDs.isEmpty { conditions.append("run_id IN (\(query.runIDs.map { db.literal($0) }.joined(separator: ", ")))") }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            // run_id is utf8mb4_bin (migration 1): its order is the text's byte order (dsari's sorted keys).
            let order =
                switch query.order {
                case .startTime: "ORDER BY start_time"
                case .startTimeDescending: "ORDER BY start_time DESC"
                case .runID: "ORDER BY run_id"
                }
            let running = query.running ? try db.query("SELECT \(Self.runningColumns) FROM runs_running \(filter) \(order)").rows : []
            /// Whether a running row comes before the finished row `row` in the order asked for.
            func precedes(_ running: [String?], _ row: MySQLRow) -> Bool {
                switch query.order {
                case .runID:
                    return (running[1] ?? "").utf8.lexicographicallyPrecedes((row.text(1) ?? "").utf8)
                case .startTime:
                    return (running[3].flatMap(Double.init) ?? 0) < (row.double(3) ?? 0)
                case .startTimeDescending:
                    return (running[3].flatMap(Double.init) ?? 0) > (row.double(3) ?? 0)
                }
            }
            var next = 0
            if query.finished {
                try db.forEachRow("SELECT \(Self.runColumns) FROM runs \(filter) \(order)") { row in
                    while next < running.count, precedes(running[next], row) {
                        try body(StoredRunRow(columns: running[next]))
                        next += 1
                    }
                    try body(StoredRunRow(row: row))
                }
            }
            for row in running[next...] { try body(StoredRunRow(columns: row)) }
        }
    }

    /// `run_data.nagios` of this host's latest finished run of `jobName` that carries a check result.
    public func latestCheckResult(jobName: String) throws -> ConfigValue? {
        try withConnection { db in
            let result = try db.query(
                """
                SELECT run_data FROM runs
                WHERE host_name = \(db.literal(hostName)) AND job_name = \(db.literal(jobName))
                    AND JSON_EXTRACT(run_data, '$.\(NagiosField.runDataKey).\(NagiosField.currentState.rawValue)') IS NOT NULL
                ORDER BY stop_time DESC LIMIT 1
                """)
            // Spelled out: ConfigValue takes `nil` as a literal (.null), which would read as a result.
            guard result.count > 0, let nagios = ConfigValue(storedJSON: result.text(0, 0))[NagiosField.runDataKey] else { return nil }
            return nagios.value
        }
    }

    /// The finished runs of `hosts` numbered after `position` (`dsari_seq`), in that order,
    /// from the covering index of migration 4 alone (no row lookups: the
    /// exporter's first scrape of 1,000,000 runs went from 5.5 to about 1 s).
    @discardableResult
    public func forEachFinishedRun(after position: Int64, hosts: HostFilter, _ body: (FinishedRunTimes) throws -> Void) throws -> Int {
        try withConnection { db in
            var count = 0
            try db.forEachRow(
                """
                SELECT dsari_seq, job_name, UNIX_TIMESTAMP(schedule_time), UNIX_TIMESTAMP(start_time), UNIX_TIMESTAMP(stop_time),
                    exit_code, dsari_check, host_name
                FROM runs FORCE INDEX (dsari_swift_runs_exporter)
                WHERE dsari_seq > \(position) \(hostCondition(hosts, db).map { "AND " + $0 } ?? "") ORDER BY dsari_seq
                """
            ) { row in
                count += 1
                try body(
                    FinishedRunTimes(
                        position: row.integer(0) ?? 0, hostName: row.text(7) ?? "", jobName: row.text(1) ?? "",
                        scheduleTime: row.double(2) ?? 0, startTime: row.double(3) ?? 0, stopTime: row.double(4) ?? 0,
                        exitCode: row.integer(5).map { Int($0) }, hasCheckResult: row.integer(6) == 1))
            }
            return count
        }
    }

    public func runData(at position: Int64) throws -> ConfigValue {
        try withConnection { db in
            let result = try db.query("SELECT run_data FROM runs WHERE dsari_seq = \(position)")
            return result.count > 0 ? ConfigValue(storedJSON: result.text(0, 0)) : .mapping([])
        }
    }

    /// The largest `dsari_seq` (0 when empty): numbers are never reused, so
    /// a reader's cursor is never ahead of it but after a restore.
    public func maximumPosition() throws -> Int64 {
        try withConnection { db in try db.query("SELECT COALESCE(MAX(dsari_seq), 0) FROM runs").integer(0, 0) ?? 0 }
    }

    /// Writes this host's plan over `previous` (nil: rewritten whole).
    public func write(plan: DaemonPlan, over previous: DaemonPlan?, lockWaitMilliseconds: Int32?) throws {
        try withConnection { db in
            let host = db.literal(hostName)
            let old = previous?.nextRuns ?? [:]
            var statements: [String] = []
            if previous == nil { statements.append("DELETE FROM dsari_swift_next_runs WHERE host_name = \(host)") }
            for name in old.keys where plan.nextRuns[name] == nil {
                statements.append("DELETE FROM dsari_swift_next_runs WHERE host_name = \(host) AND job_name = \(db.literal(name))")
            }
            for (name, time) in plan.nextRuns where previous == nil || old[name] != time {
                statements.append(
                    """
                    INSERT INTO dsari_swift_next_runs (host_name, job_name, next_run_time) VALUES (\(host), \(db.literal(name)), \(time.sqlText))
                    ON DUPLICATE KEY UPDATE next_run_time = VALUES(next_run_time)
                    """)
            }
            if previous.map({ !$0.sameDaemonState(as: plan) }) ?? true {
                func number(_ value: Double?) -> String { value?.sqlText ?? "NULL" }
                statements.append(
                    """
                    INSERT INTO dsari_swift_daemon (host_name, pid, start_time, shutdown_start_time, stop_time)
                    VALUES (\(host), \(plan.pid), \(plan.startTime.sqlText), \(number(plan.shutdownStartTime)), \(number(plan.stopTime)))
                    ON DUPLICATE KEY UPDATE pid = VALUES(pid), start_time = VALUES(start_time),
                        shutdown_start_time = VALUES(shutdown_start_time), stop_time = VALUES(stop_time)
                    """)
            }
            guard !statements.isEmpty else { return }
            try db.batch(lockWaitMilliseconds: lockWaitMilliseconds, statements)
        }
    }

    /// The plans the daemons of `hosts` last wrote, by host name.
    public func daemonPlans(hosts: HostFilter) throws -> [String: DaemonPlan] {
        try withConnection { db in
            let filter = hostCondition(hosts, db).map { "WHERE " + $0 } ?? ""
            var plans: [String: DaemonPlan] = [:]
            let state = try db.query("SELECT host_name, pid, start_time, shutdown_start_time, stop_time FROM dsari_swift_daemon \(filter)")
            for row in 0..<state.count {
                plans[state.text(row, 0) ?? ""] = DaemonPlan(
                    pid: Int32(truncatingIfNeeded: state.integer(row, 1) ?? 0), startTime: state.double(row, 2) ?? 0,
                    shutdownStartTime: state.double(row, 3), stopTime: state.double(row, 4))
            }
            let next = try db.query("SELECT host_name, job_name, next_run_time FROM dsari_swift_next_runs \(filter)")
            for row in 0..<next.count {
                plans[next.text(row, 0) ?? ""]?.nextRuns[next.text(row, 1) ?? ""] = next.double(row, 2)
            }
            return plans
        }
    }

    /// A `host_name` condition for `hosts` (none for `.all`).
    private func hostCondition(_ hosts: HostFilter, _ db: MySQLConnection) -> String? {
        switch hosts {
        case .this: "host_name = \(db.literal(hostName))"
        case .only(let names) where names.isEmpty: "FALSE"
        case .only(let names): "host_name IN (\(names.map { db.literal($0) }.joined(separator: ", ")))"
        case .all: nil
        }
    }
}

extension Double {
    /// A time for `FROM_UNIXTIME`: six decimals, so the value keeps its
    /// microseconds and the result is a `datetime(6)`.
    var mysqlText: String { String(format: "%.6f", self) }
}

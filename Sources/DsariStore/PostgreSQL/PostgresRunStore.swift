import DsariCore
import Foundation

/// The run history in PostgreSQL (`database: {type: postgresql, dsn: …}`),
/// in dsari 2.0's tables, shared by a fleet: every run carries the
/// `host_name` of the daemon that ran it, and this store's reads for the
/// daemon (previous runs, running runs, check results, the plan) are this
/// host's only.
///
/// Times: the session's `TimeZone` is UTC, so the `timestamp` columns hold
/// UTC wall-clock times (`to_timestamp(epoch)` in, `extract(epoch …)` out).
/// dsari 2.0 writes them converted to its session's time zone — the
/// server's or database's `timezone` setting — so a fleet that mixes both
/// sets the database's time zone to UTC (docs: choosing a backend).
///
/// One connection under one lock; a lost connection is dropped and made
/// again at the next call (each change is idempotent by run id, so a batch
/// whose commit was lost is simply applied again).
public final class PostgresRunStore: RunStore {
    public let hostName: String
    private let connection: ServerConnection<PostgresConnection>

    /// Seconds one connection attempt may take.
    static let attemptTimeout = 5

    /// Connects (retrying for `connectTimeout` seconds while the server is
    /// unreachable, calling `waiting` with each failure), then creates and
    /// migrates the tables unless `readOnly`.
    public init(
        dsn: String, hostName: String, readOnly: Bool = false, applicationName: String = "dsari",
        connectTimeout: Double = 0, waiting: (RunStoreError) -> Void = { _ in }
    ) throws {
        self.hostName = hostName
        connection = try ServerConnection(
            connectTimeout: connectTimeout, waiting: waiting,
            open: { try PostgresConnection(dsn: dsn, applicationName: applicationName, connectTimeout: Self.attemptTimeout) },
            prepare: { if !readOnly { try Self.migrate($0) } })
    }

    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try connection.withConnection(body)
    }

    /// The columns of a `StoredRunRow`, in its order.
    static let runColumns = """
        job_name, run_id::text, extract(epoch FROM schedule_time)::float8, extract(epoch FROM start_time)::float8,
        extract(epoch FROM stop_time)::float8, exit_code, trigger_type, trigger_data::text, run_data::text, host_name
        """
    static let runningColumns = """
        job_name, run_id::text, extract(epoch FROM schedule_time)::float8, extract(epoch FROM start_time)::float8,
        NULL::float8, NULL::smallint, trigger_type, trigger_data::text, run_data::text, host_name
        """

    /// Applies changes in order in one transaction. Each is idempotent by
    /// run id: applied twice (a commit whose answer was lost), nothing is
    /// doubled. `lockWaitMilliseconds`: how long to wait for another
    /// session's lock (PostgreSQL's `lock_timeout`; default: as long as it takes).
    public func apply(_ changes: [RunChange], lockWaitMilliseconds: Int32?) throws {
        guard !changes.isEmpty else { return }
        let finishes = changes.contains { if case .finished = $0 { true } else { false } }
        try withConnection { db in
            try db.transaction {
                // Numbering runs in commit order serializes the hosts' commits
                // (migration 2). That lock is ours and held for milliseconds
                // per batch: taken first, without the caller's short wait,
                // which is meant for locks others hold.
                if finishes { try db.execute("SELECT pg_advisory_xact_lock(\(Self.numberingLock))") }
                if let wait = lockWaitMilliseconds { try db.execute("SET LOCAL lock_timeout = \(max(1, wait))") }
                for change in changes {
                    switch change {
                    case .started(let run):
                        try db.query(
                            """
                            INSERT INTO runs_running (job_name, run_id, schedule_time, start_time, trigger_type, trigger_data, run_data, host_name)
                            VALUES ($1, $2::uuid, to_timestamp($3::float8)::timestamp, to_timestamp($4::float8)::timestamp, $5, $6::json, $7::json, $8)
                            ON CONFLICT (run_id) DO NOTHING
                            """,
                            [
                                run.jobName, run.runID, run.scheduleTime.sqlText, run.startTime.sqlText, run.triggerType,
                                run.triggerData.compactJSON, run.runData.compactJSON, hostName,
                            ])
                    case .spawned(let runID, let runData):
                        try db.query("UPDATE runs_running SET run_data = $1::json WHERE run_id = $2::uuid", [runData.compactJSON, runID])
                    case .finished(let run):
                        try db.query(
                            """
                            INSERT INTO runs (job_name, run_id, schedule_time, start_time, stop_time, exit_code, trigger_type,
                                trigger_data, run_data, host_name)
                            VALUES ($1, $2::uuid, to_timestamp($3::float8)::timestamp, to_timestamp($4::float8)::timestamp,
                                to_timestamp($5::float8)::timestamp, $6::smallint, $7, $8::json, $9::json, $10)
                            ON CONFLICT (run_id) DO NOTHING
                            """,
                            [
                                run.jobName, run.runID, run.scheduleTime.sqlText, run.startTime.sqlText,
                                (run.stopTime ?? run.startTime).sqlText, String(run.exitCode ?? -1), run.triggerType,
                                run.triggerData.compactJSON, run.runData.compactJSON, hostName,
                            ])
                        try db.query("DELETE FROM runs_running WHERE run_id = $1::uuid", [run.runID])
                    }
                }
            }
        }
    }

    /// This host's latest finished run, latest with exit code 0 and latest
    /// with another: `PREVIOUS_*`, `PREVIOUS_GOOD_*`, `PREVIOUS_BAD_*`.
    public func previousRuns(jobName: String) throws -> PreviousRuns {
        try withConnection { db in
            func latest(_ condition: String) throws -> RunRecord? {
                let result = try db.query(
                    """
                    SELECT \(Self.runColumns) FROM runs WHERE host_name = $1 AND job_name = $2 \(condition)
                    ORDER BY stop_time DESC LIMIT 1
                    """, [hostName, jobName])
                guard result.rowCount > 0 else { return nil }
                return StoredRunRow(result: result).record
            }
            return PreviousRuns(last: try latest(""), good: try latest("AND exit_code = 0"), bad: try latest("AND exit_code <> 0"))
        }
    }

    /// Reads the runs `query` selects, one row at a time (libpq's single-row mode).
    public func forEachRun(_ query: RunQuery, _ body: (StoredRunRow) throws -> Void) throws {
        let (hostCondition, hostParameter) = hostFilter(query.hosts, parameter: 1)
        var parameters: [String?] = hostParameter.map { [$0] } ?? []
        var conditions: [String] = hostCondition.map { [$0] } ?? []
        if !query.jobNames.isEmpty {
            parameters.append(Self.arrayLiteral(query.jobNames))
            conditions.append("job_name = ANY($\(parameters.count)::text[])")
        }
        if !query.runIDs.isEmpty {
            parameters.append(Self.arrayLiteral(query.runIDs))
            conditions.append("run_id::text = ANY($\(parameters.count)::text[])")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        var parts: [String] = []
        // Sorted on the uuid itself: its order is the lowercase text's byte
        // order (dsari's sorted keys) whatever the database's collation.
        if query.finished { parts.append("SELECT \(Self.runColumns), start_time AS sort_key, run_id AS id_key FROM runs \(filter)") }
        if query.running {
            parts.append("SELECT \(Self.runningColumns), start_time AS sort_key, run_id AS id_key FROM runs_running \(filter)")
        }
        guard !parts.isEmpty else { return }
        let order =
            switch query.order {
            case .startTime: "ORDER BY sort_key"
            case .startTimeDescending: "ORDER BY sort_key DESC"
            case .runID: "ORDER BY id_key"
            }
        try withConnection { db in
            try db.forEachRow(parts.joined(separator: " UNION ALL ") + " " + order, parameters) { result in
                try body(StoredRunRow(result: result))
            }
        }
    }

    /// `run_data.nagios` of this host's latest finished run of `jobName` that carries a check result.
    public func latestCheckResult(jobName: String) throws -> ConfigValue? {
        try withConnection { db in
            let result = try db.query(
                """
                SELECT (run_data->'\(NagiosField.runDataKey)')::text FROM runs
                WHERE host_name = $1 AND job_name = $2 AND run_data->'\(NagiosField.runDataKey)'->'\(NagiosField.currentState.rawValue)' IS NOT NULL
                ORDER BY stop_time DESC LIMIT 1
                """, [hostName, jobName])
            // Spelled out: ConfigValue takes `nil` as a literal (.null), which would read as a result.
            guard result.rowCount > 0 else { return nil }
            return ConfigValue(storedJSON: result.text(0, 0))
        }
    }

    /// This host's finished runs numbered after `position` (`dsari_seq`), in that order.
    @discardableResult
    public func forEachFinishedRun(after position: Int64, hosts: HostFilter, _ body: (FinishedRunTimes) throws -> Void) throws -> Int {
        let (hostCondition, hostParameter) = hostFilter(hosts, parameter: 2)
        return try withConnection { db in
            var count = 0
            try db.forEachRow(
                """
                SELECT dsari_seq, job_name, extract(epoch FROM schedule_time)::float8, extract(epoch FROM start_time)::float8,
                    extract(epoch FROM stop_time)::float8, exit_code, run_data->'\(NagiosField.runDataKey)' IS NOT NULL, host_name
                FROM runs WHERE dsari_seq > $1 \(hostCondition.map { "AND " + $0 } ?? "") ORDER BY dsari_seq
                """, [String(position)] + (hostParameter.map { [$0] } ?? [])
            ) { row in
                count += 1
                try body(
                    FinishedRunTimes(
                        position: row.integer(0, 0) ?? 0, hostName: row.text(0, 7) ?? "", jobName: row.text(0, 1) ?? "",
                        scheduleTime: row.double(0, 2) ?? 0,
                        startTime: row.double(0, 3) ?? 0, stopTime: row.double(0, 4) ?? 0, exitCode: row.integer(0, 5).map { Int($0) },
                        hasCheckResult: row.text(0, 6) == "t"))
            }
            return count
        }
    }

    public func runData(at position: Int64) throws -> ConfigValue {
        try withConnection { db in
            let result = try db.query("SELECT run_data::text FROM runs WHERE dsari_seq = $1", [String(position)])
            return result.rowCount > 0 ? ConfigValue(storedJSON: result.text(0, 0)) : .mapping([])
        }
    }

    /// The largest `dsari_seq` (0 when empty): numbers are never reused, so
    /// a reader's cursor is never ahead of it but after a restore.
    public func maximumPosition() throws -> Int64 {
        try withConnection { db in try db.query("SELECT coalesce(max(dsari_seq), 0) FROM runs").integer(0, 0) ?? 0 }
    }

    /// Writes this host's plan over `previous` (nil: rewritten whole).
    public func write(plan: DaemonPlan, over previous: DaemonPlan?, lockWaitMilliseconds: Int32?) throws {
        try withConnection { db in
            try db.transaction {
                if let wait = lockWaitMilliseconds { try db.execute("SET LOCAL lock_timeout = \(max(1, wait))") }
                let old = previous?.nextRuns ?? [:]
                if previous == nil { try db.query("DELETE FROM dsari_swift_next_runs WHERE host_name = $1", [hostName]) }
                for name in old.keys where plan.nextRuns[name] == nil {
                    try db.query("DELETE FROM dsari_swift_next_runs WHERE host_name = $1 AND job_name = $2", [hostName, name])
                }
                for (name, time) in plan.nextRuns where previous == nil || old[name] != time {
                    try db.query(
                        """
                        INSERT INTO dsari_swift_next_runs (host_name, job_name, next_run_time) VALUES ($1, $2, $3::float8)
                        ON CONFLICT (host_name, job_name) DO UPDATE SET next_run_time = excluded.next_run_time
                        """, [hostName, name, time.sqlText])
                }
                if previous.map({ !$0.sameDaemonState(as: plan) }) ?? true {
                    try db.query(
                        """
                        INSERT INTO dsari_swift_daemon (host_name, pid, start_time, shutdown_start_time, stop_time)
                        VALUES ($1, $2::integer, $3::float8, $4::float8, $5::float8)
                        ON CONFLICT (host_name) DO UPDATE SET pid = excluded.pid, start_time = excluded.start_time,
                            shutdown_start_time = excluded.shutdown_start_time, stop_time = excluded.stop_time
                        """,
                        [hostName, String(plan.pid), plan.startTime.sqlText, plan.shutdownStartTime?.sqlText, plan.stopTime?.sqlText])
                }
            }
        }
    }

    /// The plans the daemons of `hosts` last wrote, by host name.
    public func daemonPlans(hosts: HostFilter) throws -> [String: DaemonPlan] {
        let (condition, parameter) = hostFilter(hosts, parameter: 1)
        let filter = condition.map { "WHERE " + $0 } ?? ""
        let parameters = parameter.map { [$0] } ?? []
        return try withConnection { db in
            var plans: [String: DaemonPlan] = [:]
            let state = try db.query(
                "SELECT host_name, pid, start_time, shutdown_start_time, stop_time FROM dsari_swift_daemon \(filter)", parameters)
            for row in 0..<state.rowCount {
                plans[state.text(row, 0) ?? ""] = DaemonPlan(
                    pid: Int32(truncatingIfNeeded: state.integer(row, 1) ?? 0), startTime: state.double(row, 2) ?? 0,
                    shutdownStartTime: state.double(row, 3), stopTime: state.double(row, 4))
            }
            let next = try db.query("SELECT host_name, job_name, next_run_time FROM dsari_swift_next_runs \(filter)", parameters)
            for row in 0..<next.rowCount {
                plans[next.text(row, 0) ?? ""]?.nextRuns[next.text(row, 1) ?? ""] = next.double(row, 2)
            }
            return plans
        }
    }

    /// A `host_name` condition for `hosts` using parameter `$parameter`, and that parameter (none for `.all`).
    private func hostFilter(_ hosts: HostFilter, parameter: Int) -> (condition: String?, parameter: String?) {
        switch hosts {
        case .this: ("host_name = $\(parameter)", hostName)
        case .only(let names): ("host_name = ANY($\(parameter)::text[])", Self.arrayLiteral(names))
        case .all: (nil, nil)
        }
    }

    /// A PostgreSQL array literal of text values (`{"a","b"}`), for `= ANY($n::text[])`.
    static func arrayLiteral(_ values: [String]) -> String {
        "{"
            + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}

extension Double {
    /// A parameter's text for `$n::float8`: exact (shortest round-trip form).
    var sqlText: String { "\(self)" }
}

import DsariCore

extension SQLiteRunStore {
    /// Writes `plan` over `previous` (what the last call wrote; nil: the
    /// tables are rewritten whole), in one transaction: only the jobs whose
    /// next run changed are touched.
    public func write(plan: DaemonPlan, over previous: DaemonPlan?, lockWaitMilliseconds: Int32?) throws {
        try withConnection { box in
            if let wait = lockWaitMilliseconds { box.db.setBusyTimeout(milliseconds: wait) }
            defer { if lockWaitMilliseconds != nil { box.db.setBusyTimeout(milliseconds: Self.busyTimeoutMilliseconds) } }
            try box.db.transaction {
                let delete = try box.statement("DELETE FROM dsari_swift_next_runs WHERE job_name = ?")
                let upsert = try box.statement(
                    """
                    INSERT INTO dsari_swift_next_runs (job_name, next_run_time) VALUES (?, ?)
                    ON CONFLICT (job_name) DO UPDATE SET next_run_time = excluded.next_run_time
                    """)
                let old = previous?.nextRuns ?? [:]
                if previous == nil { try box.db.execute("DELETE FROM dsari_swift_next_runs") }
                for name in old.keys where plan.nextRuns[name] == nil {
                    try delete.run([.text(name)])
                }
                for (name, time) in plan.nextRuns where previous == nil || old[name] != time {
                    try upsert.run([.text(name), .real(time)])
                }
                if previous.map({ !$0.sameDaemonState(as: plan) }) ?? true {
                    try box.statement(
                        """
                        INSERT INTO dsari_swift_daemon (id, pid, start_time, shutdown_start_time, stop_time) VALUES (1, ?, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, start_time = excluded.start_time,
                            shutdown_start_time = excluded.shutdown_start_time, stop_time = excluded.stop_time
                        """
                    ).run([
                        .integer(Int64(plan.pid)), .real(plan.startTime), plan.shutdownStartTime.map { .real($0) } ?? .null,
                        plan.stopTime.map { .real($0) } ?? .null,
                    ])
                }
            }
        }
    }

    /// The plan the daemon last wrote, or nil when none has (a database no
    /// dsari-daemon of ours has run on, or written by dsari 2.0).
    /// The file's plan is this host's.
    public func daemonPlans(hosts: HostFilter) throws -> [String: DaemonPlan] {
        if case .only(let names) = hosts, !names.contains(hostName) { return [:] }
        return try storedPlan().map { [hostName: $0] } ?? [:]
    }

    private func storedPlan() throws -> DaemonPlan? {
        try withConnection { box in
            let exists = try box.query(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('dsari_swift_daemon', 'dsari_swift_next_runs')", []
            ) { statement in try statement.step() && statement.integer(0) == 2 }
            guard exists else { return nil }
            guard
                var plan = try box.query(
                    "SELECT pid, start_time, shutdown_start_time, stop_time FROM dsari_swift_daemon WHERE id = 1", [],
                    {
                        statement in
                        try statement.step()
                            ? DaemonPlan(
                                pid: Int32(truncatingIfNeeded: statement.integer(0)), startTime: statement.real(1),
                                shutdownStartTime: statement.optionalReal(2), stopTime: statement.optionalReal(3)) : nil
                    })
            else { return nil }
            plan.nextRuns = try box.query("SELECT job_name, next_run_time FROM dsari_swift_next_runs", []) { statement in
                var nextRuns: [String: Double] = [:]
                while try statement.step() { nextRuns[statement.text(0) ?? ""] = statement.real(1) }
                return nextRuns
            }
            return plan
        }
    }
}

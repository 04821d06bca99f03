import DsariCore

extension SQLiteRunStore {
    /// The finished runs after `position` (SQLite's rowid), in recording order.
    @discardableResult
    public func forEachFinishedRun(after position: Int64, hosts: HostFilter, _ body: (FinishedRunTimes) throws -> Void) throws -> Int {
        // Every run in the file is this host's.
        if case .only(let names) = hosts, !names.contains(hostName) { return 0 }
        return try withConnection { box in
            try box.query(
                """
                SELECT rowid, job_name, schedule_time, start_time, stop_time, exit_code,
                    instr(run_data, '"\(NagiosField.runDataKey)"') > 0 FROM runs
                WHERE rowid > ? AND stop_time IS NOT NULL ORDER BY rowid
                """, [.integer(position)]
            ) { statement in
                var count = 0
                while try statement.step() {
                    count += 1
                    try body(
                        FinishedRunTimes(
                            position: statement.integer(0), hostName: hostName, jobName: statement.text(1) ?? "",
                            scheduleTime: statement.real(2),
                            startTime: statement.real(3), stopTime: statement.real(4),
                            exitCode: statement.optionalInteger(5).map { Int($0) }, hasCheckResult: statement.optionalInteger(6) == 1))
                }
                return count
            }
        }
    }

    public func runData(at position: Int64) throws -> ConfigValue {
        try withConnection { box in
            try box.query("SELECT run_data FROM runs WHERE rowid = ?", [.integer(position)]) { statement in
                try statement.step() ? ConfigValue(storedJSON: statement.text(0)) : .mapping([])
            }
        }
    }

    /// The largest rowid in `runs`: below the exporter's cursor when a
    /// VACUUM after a prune renumbered the rows.
    public func maximumPosition() throws -> Int64 {
        try withConnection { box in
            try box.query("SELECT coalesce(max(rowid), 0) FROM runs", []) { statement in
                try statement.step() ? statement.integer(0) : 0
            }
        }
    }
}

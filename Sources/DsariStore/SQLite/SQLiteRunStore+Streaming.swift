import DsariCore

extension SQLiteRunStore {
    /// Reads the runs `query` selects, one row at a time. The file has no
    /// host column: every run in it is this host's, so `.this` and `.all`
    /// read every row and `.only` reads them when it names this host.
    public func forEachRun(_ query: RunQuery, _ body: (StoredRunRow) throws -> Void) throws {
        if case .only(let hosts) = query.hosts, !hosts.contains(hostName) { return }
        var conditions: [String] = []
        var values: [SQLiteStatement.Value] = []
        if !query.jobNames.isEmpty {
            conditions.append("job_name IN (\(Array(repeating: "?", count: query.jobNames.count).joined(separator: ",")))")
            values += query.jobNames.map { .text($0) }
        }
        if !query.runIDs.isEmpty {
            conditions.append("run_id IN (\(Array(repeating: "?", count: query.runIDs.count).joined(separator: ",")))")
            values += query.runIDs.map { .text($0) }
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        var parts: [String] = []
        if query.finished { parts.append("SELECT \(Self.runColumns), NULL FROM runs \(filter)") }
        if query.running { parts.append("SELECT \(Self.runningColumns), NULL FROM runs_running \(filter)") }
        guard !parts.isEmpty else { return }
        let order =
            switch query.order {
            case .startTime: "ORDER BY start_time"
            case .startTimeDescending: "ORDER BY start_time DESC"
            case .runID: "ORDER BY run_id"
            }
        try withConnection { box in
            let statement = try box.db.prepare(parts.joined(separator: " UNION ALL ") + " " + order)
            try statement.bind(parts.count == 2 ? values + values : values)
            defer { statement.reset() }
            let row = StoredRunRow(statement: statement, host: hostName)
            while try statement.step() {
                try body(row)
            }
        }
    }
}

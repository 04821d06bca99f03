import ArgumentParser
import DsariCore
import DsariStore
import Foundation

/// The recorded runs as the `dsari-info run …` commands read them: the
/// database opened read-only (the daemon owns it and its migrations), and
/// each run's output file in the data directory.
///
/// A database that does not exist yet means that nothing has run: no runs,
/// not an error. A database that cannot be read is an error (exit 1).
struct RunHistory {
    let config: Config
    /// nil until the daemon has created the database.
    let store: (any RunStore)?

    /// The database in words (the SQLite file, or PostgreSQL's host and database).
    var databaseDescription: String { RunStores.describe(config) }

    /// Opens the store; a failure is told through `report` (by default an
    /// `error:` line on standard error) and becomes exit code 1.
    init(
        config: Config, applicationName: String = "dsari-info",
        report: (String) -> Void = { StandardError.print("error: " + $0) }
    ) throws {
        self.config = config
        do {
            store = try RunStores.open(config, access: .read, applicationName: applicationName)
        } catch {
            report("the run database \(RunStores.describe(config)) cannot be opened: \(error)")
            throw ExitCode(1)
        }
    }

    /// Runs `body` on the store (nil when there is no database), turning a
    /// database error into a message and exit code 1.
    func read<T>(_ body: ((any RunStore)?) throws -> T) throws -> T {
        do {
            return try body(store)
        } catch let error as RunStoreError {
            StandardError.print("error: the run database \(databaseDescription) cannot be read: \(error)")
            throw ExitCode(1)
        }
    }

    /// This host's run with this id, finished or running.
    func run(id: String) throws -> RunRecord? {
        try read { store in try store?.runs(jobNames: [], runIDs: [id]).first }
    }

    /// The host that ran `id` when it is another host of the fleet (its
    /// output is on that host, not here); nil when no host has it.
    func otherHost(ofRun id: String) throws -> String? {
        try read { store in
            var host: String?
            try store?.forEachRun(RunQuery(runIDs: [id], hosts: .all)) { row in host = row.hostName }
            return host
        }
    }

    /// Runs in `runs_running`, oldest start first.
    func runningRuns() throws -> [RunRecord] {
        try read { store in try store?.runningRuns() ?? [] }
    }

    /// Where the daemon writes a run's output.
    func outputPath(of run: RunRecord) -> String {
        DataLayout(dataDirectory: config.dataDir).outputFile(job: run.jobName, runID: run.runID)
    }

    /// The message for a run id the database does not have.
    func unknownRunMessage(_ id: String) -> String {
        store == nil
            ? "error: no run with id \(id.quotedForMessage) is recorded: there is no run database yet (\(databaseDescription))"
            : "error: no run with id \(id.quotedForMessage) is recorded in \(databaseDescription)"
    }
}

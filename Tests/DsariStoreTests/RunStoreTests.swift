import DsariCore
import DsariTestSupport
import Foundation
import Testing

@testable import DsariStore

/// The store on a real SQLite file in a fresh directory per test.
@Suite("RunStore")
struct RunStoreTests {
    func withStore(_ body: (SQLiteRunStore, TemporaryDirectory) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try body(try SQLiteRunStore(path: directory.url("dsari.sqlite3")), directory)
    }

    func run(_ job: String, _ id: String, start: Double, stop: Double? = nil, exit: Int? = nil) -> RunRecord {
        RunRecord(
            jobName: job, runID: id, scheduleTime: start - 0.5, startTime: start, stopTime: stop, exitCode: exit,
            triggerData: ["k": "v"], runData: ["pid": 42])
    }

    @Test func startThenFinishMovesTheRunBetweenTables() throws {
        try withStore { store, _ in
            var record = run("build", "r1", start: 100)
            try store.recordStart(record)
            #expect(try store.runningRuns().map(\.runID) == ["r1"])
            #expect(try store.runs(jobNames: [], runIDs: [], finished: true, running: false).isEmpty)
            record.stopTime = 105
            record.exitCode = 0
            try store.recordFinished([record])
            #expect(try store.runningRuns().isEmpty)
            let finished = try store.runs(jobNames: ["build"], runIDs: [])
            #expect(finished == [record])
        }
    }

    @Test func previousRunsAreTheLatestByStopTime() throws {
        try withStore { store, _ in
            try store.recordFinished([
                run("a", "good-old", start: 1, stop: 2, exit: 0),
                run("a", "bad", start: 3, stop: 4, exit: 1),
                run("a", "good-new", start: 5, stop: 6, exit: 0),
                run("a", "signal", start: 7, stop: 8, exit: 143),
                run("b", "other-job", start: 9, stop: 10, exit: 0),
            ])
            let previous = try store.previousRuns(jobName: "a")
            #expect(previous.last?.runID == "signal")
            #expect(previous.good?.runID == "good-new")
            #expect(previous.bad?.runID == "signal")
            #expect(try store.previousRuns(jobName: "none").last == nil)
        }
    }

    @Test func previousRunLookupsUseIndexes() throws {
        try withStore { store, directory in
            let connection = try SQLiteConnection(path: directory.url("dsari.sqlite3"))
            for condition in ["", "AND (exit_code = 0) = 1", "AND (exit_code = 0) = 0"] {
                let plan = try connection.prepare(
                    "EXPLAIN QUERY PLAN SELECT run_id FROM runs WHERE job_name = ? \(condition) ORDER BY stop_time DESC LIMIT 1")
                try plan.bind([.text("a")])
                var details: [String] = []
                while try plan.step() { details.append(plan.text(3) ?? "") }
                #expect(details.contains { $0.contains("USING INDEX dsari_swift_runs_job") }, "\(details)")
                #expect(!details.contains { $0.contains("TEMP B-TREE") }, "\(details)")
            }
        }
    }

    @Test func schemaIsDsarisAndMigrationsRunOnce() throws {
        try withStore { _, directory in
            // Reopening applies nothing twice.
            _ = try SQLiteRunStore(path: directory.url("dsari.sqlite3"))
            let connection = try SQLiteConnection(path: directory.url("dsari.sqlite3"))
            let columns = try connection.prepare("SELECT name FROM pragma_table_info('runs') ORDER BY cid")
            var names: [String] = []
            while try columns.step() { names.append(columns.text(0) ?? "") }
            #expect(
                names == [
                    "job_name", "run_id", "schedule_time", "start_time", "stop_time", "exit_code", "trigger_type", "trigger_data",
                    "run_data",
                ])
            let versions = try connection.prepare("SELECT count(*) FROM dsari_swift_migrations")
            _ = try versions.step()
            #expect(versions.integer(0) == Int64(SQLiteRunStore.migrations.count))
            let mode = try connection.prepare("PRAGMA journal_mode")
            _ = try mode.step()
            #expect(mode.text(0) == "wal")
        }
    }

    @Test func aDatabaseWrittenByDsariOpens() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.url("dsari.sqlite3")
        // The tables exactly as dsari 2.0 creates them, with a row as it writes one.
        let connection = try SQLiteConnection(path: path)
        try connection.execute(
            """
            CREATE TABLE runs (job_name text, run_id text, schedule_time real, start_time real, stop_time real,
                exit_code integer, trigger_type text, trigger_data text, run_data text);
            CREATE TABLE runs_running (job_name text, run_id text, schedule_time real, start_time real,
                trigger_type text, trigger_data text, run_data text);
            INSERT INTO runs VALUES ('old', 'u1', 1.5, 2.5, 3.5, 0, 'schedule', '{}', '{}');
            """)
        let store = try SQLiteRunStore(path: path)
        let runs = try store.runs(jobNames: [], runIDs: ["u1"])
        #expect(runs.count == 1)
        #expect(runs.first?.exitCode == 0)
        #expect(runs.first?.stopTime == 3.5)
    }

    /// The daemon's plan: written whole the first time, then only what
    /// changed; read back by another connection; absent from a database no
    /// daemon of ours wrote a plan into (read-only, dsari 2.0's tables only).
    @Test func theDaemonPlanRoundTrips() throws {
        try withStore { store, directory in
            let reader = try SQLiteRunStore(path: directory.url("dsari.sqlite3"), readOnly: true)
            #expect(try reader.daemonPlan() == nil)
            var plan = DaemonPlan(pid: 4242, startTime: 1000.25, nextRuns: ["a": 1001.5, "b": 1060, "c": 2000])
            try store.write(plan: plan, over: nil)
            #expect(try reader.daemonPlan() == plan)
            let written = plan
            plan.nextRuns = ["a": 1002.5, "c": 2000, "d": 1003]
            plan.shutdownStartTime = 1002
            try store.write(plan: plan, over: written)
            #expect(try reader.daemonPlan() == plan)
            #expect(try reader.daemonPlan()?.isShuttingDown == true)
            plan.stopTime = 1004
            plan.nextRuns = [:]
            try store.write(plan: plan, over: nil)  // a new daemon: rewritten whole
            #expect(try reader.daemonPlan() == plan)
            #expect(try reader.daemonPlan()?.isShuttingDown == false)
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.url("dsari.sqlite3")
        try SQLiteConnection(path: path).execute("CREATE TABLE runs (job_name text, run_id text)")
        #expect(try SQLiteRunStore(path: path, readOnly: true).daemonPlan() == nil)
    }

    /// The latest check result is the newest run's that has one; a job that
    /// never ran, or whose runs carry none, has none.
    @Test func latestCheckResultIsTheNewestCheckRunsOnly() throws {
        try withStore { store, directory in
            let reader = try SQLiteRunStore(path: directory.url("dsari.sqlite3"), readOnly: true)
            #expect(try reader.latestCheckResult(jobName: "never") == nil)
            try store.recordFinished([
                RunRecord(
                    jobName: "check", runID: "c1", scheduleTime: 1, startTime: 1, stopTime: 2, exitCode: 2,
                    runData: ["nagios": ["current_state": 2, "output": "old"]]),
                RunRecord(
                    jobName: "check", runID: "c2", scheduleTime: 3, startTime: 3, stopTime: 4, exitCode: 0,
                    runData: ["nagios": ["current_state": 0, "output": "new"]]),
                RunRecord(jobName: "plain", runID: "p1", scheduleTime: 3, startTime: 3, stopTime: 4, exitCode: 0),
            ])
            #expect(try reader.latestCheckResult(jobName: "never") == nil)
            #expect(try reader.latestCheckResult(jobName: "plain") == nil)
            #expect(try reader.latestCheckResult(jobName: "check")?["output"]?.value == .string("new"))
            #expect(try store.latestCheckResult(jobName: "never") == nil)
        }
    }
}

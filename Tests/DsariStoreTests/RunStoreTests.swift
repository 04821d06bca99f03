import DsariCore
import DsariTestSupport
import Foundation
import Synchronization
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

}

/// Opening for writing while another program opens the same file: a new
/// file's first openers race to switch it to WAL and to create the tables.
/// SQLite answers the loser SQLITE_BUSY at once (its busy handler cannot
/// help one that holds a lock and waits for another), which ended a
/// starting daemon with "database is locked".
@Suite("RunStore: opened by several programs at once")
struct SQLiteConcurrentOpenTests {
    @Test func writersOpeningANewFileTogetherAllSucceed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for round in 0..<30 {
            let path = directory.url("race-\(round).sqlite3")
            let failures = Mutex<[String]>([])
            let start = DispatchSemaphore(value: 0)
            let group = DispatchGroup()
            for _ in 0..<6 {
                group.enter()
                Thread {
                    start.wait()
                    do {
                        _ = try SQLiteRunStore(path: path)
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                    group.leave()
                }.start()
            }
            for _ in 0..<6 { start.signal() }
            group.wait()
            #expect(failures.withLock { $0 }.isEmpty, "round \(round)")
        }
    }
}

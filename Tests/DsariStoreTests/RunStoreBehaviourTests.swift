import DsariCore
import DsariTestSupport
import Foundation
import Testing

@testable import DsariStore

/// What every backend of `RunStore` must do, on a real SQLite file and on
/// real PostgreSQL and MariaDB servers (a fresh database each test).
@Suite("RunStore behaviour (SQLite, PostgreSQL and MySQL)")
struct RunStoreBehaviourTests {
    /// A writer for host `alpha`, and a way to open readers, on a fresh store of `kind`.
    func withStore(_ kind: StoreBackend.Kind, _ body: (any RunStore, (String) throws -> any RunStore) throws -> Void) throws {
        switch kind {
        case .sqlite:
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.url("dsari.sqlite3")
            let store = try SQLiteRunStore(path: path, hostName: "alpha")
            try body(store) { host in try SQLiteRunStore(path: path, hostName: host, readOnly: true) }
        case .postgresql:
            let dsn = try PostgresServer.shared.createDatabase()
            let store = try PostgresRunStore(dsn: dsn, hostName: "alpha")
            try body(store) { host in try PostgresRunStore(dsn: dsn, hostName: host, readOnly: true) }
        case .mysql:
            let server = try MariaDBServer.shared
            let options = server.options(database: try server.createDatabase())
            let store = try MySQLRunStore(options: options, hostName: "alpha")
            try body(store) { host in try MySQLRunStore(options: options, hostName: host, readOnly: true) }
        }
    }

    /// Writers for hosts `alpha` and `beta` on one fresh database of a server `kind`.
    func withTwoHosts(_ kind: StoreBackend.Kind, _ body: (any RunStore, any RunStore) throws -> Void) throws {
        switch try kind.make() {
        case .sqlite:
            Issue.record("SQLite has no fleet")
        case .postgresql(let dsn):
            try body(try PostgresRunStore(dsn: dsn, hostName: "alpha"), try PostgresRunStore(dsn: dsn, hostName: "beta"))
        case .mysql(let options):
            try body(try MySQLRunStore(options: options, hostName: "alpha"), try MySQLRunStore(options: options, hostName: "beta"))
        }
    }

    static func uuid() -> String { UUID().uuidString.lowercased() }

    func run(_ job: String, _ id: String = uuid(), start: Double, stop: Double? = nil, exit: Int? = nil) -> RunRecord {
        RunRecord(
            jobName: job, runID: id, scheduleTime: start - 0.5, startTime: start, stopTime: stop, exitCode: exit,
            triggerData: ["k": "v"], runData: ["pid": 42, "note": "💥 ünïcode"])
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func startThenFinishMovesTheRunOnceHoweverOftenApplied(kind: StoreBackend.Kind) throws {
        try withStore(kind) { store, reader in
            var record = run("build", start: 1_700_000_100.25)
            try store.recordStart(record)
            try store.recordStart(record)  // a batch applied again after a lost commit
            #expect(try reader("alpha").runningRuns().map(\.runID) == [record.runID])
            #expect(try store.runs(RunQuery(finished: true, running: false)).isEmpty)
            try store.apply([.spawned(runID: record.runID, runData: ["pid": 7])])
            #expect(try store.runningRuns().first?.runData["pid"]?.value == .int(7))
            record.stopTime = 1_700_000_105.5
            record.exitCode = 0
            try store.recordFinished([record])
            try store.apply([.started(record), .finished(record)])  // again: nothing doubled, not running again
            #expect(try store.runningRuns().isEmpty)
            #expect(try reader("alpha").runs(jobNames: ["build"], runIDs: []) == [record])
        }
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func previousRunsAreTheLatestByStopTime(kind: StoreBackend.Kind) throws {
        try withStore(kind) { store, _ in
            let (goodOld, bad, goodNew, signal) = (Self.uuid(), Self.uuid(), Self.uuid(), Self.uuid())
            try store.recordFinished([
                run("a", goodOld, start: 1, stop: 2, exit: 0), run("a", bad, start: 3, stop: 4, exit: 1),
                run("a", goodNew, start: 5, stop: 6, exit: 0), run("a", signal, start: 7, stop: 8, exit: 143),
                run("b", start: 9, stop: 10, exit: 0),
            ])
            let previous = try store.previousRuns(jobName: "a")
            #expect(previous.last?.runID == signal)
            #expect(previous.good?.runID == goodNew)
            #expect(previous.bad?.runID == signal)
            #expect(try store.previousRuns(jobName: "none").last == nil)
        }
    }

    /// The latest check result is the newest run's that has one; a job that
    /// never ran, or whose runs carry none, has none.
    @Test(arguments: StoreBackend.Kind.allCases)
    func latestCheckResultIsTheNewestCheckRunsOnly(kind: StoreBackend.Kind) throws {
        try withStore(kind) { store, reader in
            #expect(try reader("alpha").latestCheckResult(jobName: "never") == nil)
            try store.recordFinished([
                RunRecord(
                    jobName: "check", runID: Self.uuid(), scheduleTime: 1, startTime: 1, stopTime: 2, exitCode: 2,
                    runData: ["nagios": ["current_state": 2, "output": "old"]]),
                RunRecord(
                    jobName: "check", runID: Self.uuid(), scheduleTime: 3, startTime: 3, stopTime: 4, exitCode: 0,
                    runData: ["nagios": ["current_state": 0, "output": "new 💚"]]),
                RunRecord(jobName: "plain", runID: Self.uuid(), scheduleTime: 3, startTime: 3, stopTime: 4, exitCode: 0),
            ])
            #expect(try reader("alpha").latestCheckResult(jobName: "never") == nil)
            #expect(try reader("alpha").latestCheckResult(jobName: "plain") == nil)
            #expect(try reader("alpha").latestCheckResult(jobName: "check")?["output"]?.value == .string("new 💚"))
            #expect(try store.latestCheckResult(jobName: "never") == nil)
        }
    }

    /// The exporter's incremental read: each finished run once, in recording
    /// order, after the position it last read.
    @Test(arguments: StoreBackend.Kind.allCases)
    func finishedRunsAreReadOnceInOrderAfterAPosition(kind: StoreBackend.Kind) throws {
        try withStore(kind) { store, reader in
            try store.recordFinished([
                run("a", start: 10, stop: 11, exit: 0),
                RunRecord(
                    jobName: "c", runID: Self.uuid(), scheduleTime: 19, startTime: 20, stopTime: 21, exitCode: 2,
                    runData: ["nagios": ["current_state": 2, "plugin_output": "CRITICAL"]]),
            ])
            let exporter = try reader("alpha")
            var seen: [FinishedRunTimes] = []
            try exporter.forEachFinishedRun(after: 0) { seen.append($0) }
            #expect(seen.map(\.jobName) == ["a", "c"] && seen.map(\.hostName) == ["alpha", "alpha"])
            #expect(seen.map(\.hasCheckResult) == [false, true])
            let position = try #require(seen.last?.position)
            #expect(try exporter.maximumPosition() == position)
            #expect(try exporter.runData(at: position)["nagios"]?["plugin_output"]?.value == .string("CRITICAL"))
            try store.recordFinished([run("a", start: 30, stop: 31, exit: 5)])
            seen = []
            try exporter.forEachFinishedRun(after: position) { seen.append($0) }
            #expect(seen.map(\.exitCode) == [5])
        }
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func runsComeInTheOrderAsked(kind: StoreBackend.Kind) throws {
        try withStore(kind) { store, _ in
            var runs: [RunRecord] = []
            for index in 0..<6 {
                let start = Double(100 - index * 10)
                runs.append(run("j\(index % 2)", start: start, stop: start + 1, exit: 0))
            }
            try store.recordFinished(runs)
            try store.recordStart(run("j0", start: 500))
            func order(_ query: RunQuery) throws -> [Double] { try store.runs(query).map(\.startTime) }
            #expect(try order(RunQuery()) == [50, 60, 70, 80, 90, 100, 500])
            #expect(try order(RunQuery(order: .startTimeDescending)) == [500, 100, 90, 80, 70, 60, 50])
            let running = try store.runningRuns().map(\.runID)
            let byID: [String] = try store.runs(RunQuery(order: .runID)).map(\.runID)
            #expect(byID == (runs.map(\.runID) + running).sorted())
            #expect(try order(RunQuery(jobNames: ["j1"], running: false)) == [50, 70, 90])
            #expect(try order(RunQuery(runIDs: [runs[0].runID, runs[5].runID])) == [50, 100])
            // This store's own host by name; another host's runs are none of these.
            #expect(try order(RunQuery(running: false, hosts: .only(["alpha"]))).count == 6)
            #expect(try order(RunQuery(hosts: .only(["elsewhere"]))).isEmpty)
        }
    }

    /// The daemon's plan: written whole the first time, then only what
    /// changed; read back by another connection.
    @Test(arguments: StoreBackend.Kind.allCases)
    func theDaemonPlanRoundTrips(kind: StoreBackend.Kind) throws {
        try withStore(kind) { store, reader in
            #expect(try reader("alpha").daemonPlan() == nil)
            var plan = DaemonPlan(pid: 4242, startTime: 1000.25, nextRuns: ["a": 1001.5, "b": 1060, "c": 2000])
            try store.write(plan: plan, over: nil)
            #expect(try reader("alpha").daemonPlan() == plan)
            let written = plan
            plan.nextRuns = ["a": 1002.5, "c": 2000, "d": 1003]
            plan.shutdownStartTime = 1002
            try store.write(plan: plan, over: written)
            #expect(try reader("alpha").daemonPlan() == plan)
            #expect(try reader("alpha").daemonPlan()?.isShuttingDown == true)
            plan.stopTime = 1004
            plan.nextRuns = [:]
            try store.write(plan: plan, over: nil)  // a new daemon: rewritten whole
            #expect(try reader("alpha").daemonPlan() == plan)
            #expect(try reader("alpha").daemonPlan()?.isShuttingDown == false)
            #expect(try reader("alpha").daemonPlans(hosts: .only(["elsewhere"])).isEmpty)
        }
    }

    /// A fleet's database: what a daemon reads back is its own host's.
    @Test(arguments: StoreBackend.Kind.servers)
    func eachHostSeesItsOwnRunsAndPreviousRuns(kind: StoreBackend.Kind) throws {
        try withTwoHosts(kind) { alpha, beta in
            try alpha.recordFinished([run("job", start: 100, stop: 101, exit: 0), run("job", start: 200, stop: 201, exit: 1)])
            try beta.recordFinished([run("job", start: 300, stop: 301, exit: 0)])
            try alpha.recordStart(run("job", start: 400))
            try beta.recordStart(run("job", start: 500))
            let previous = try alpha.previousRuns(jobName: "job")
            #expect(previous.last?.startTime == 200)
            #expect(previous.good?.startTime == 100)
            #expect(previous.bad?.startTime == 200)
            #expect(try beta.previousRuns(jobName: "job").last?.startTime == 300)
            #expect(try alpha.runningRuns().map(\.startTime) == [400])
            #expect(try beta.runningRuns().map(\.startTime) == [500])
            #expect(try alpha.runs(jobNames: [], runIDs: []).map(\.startTime) == [100, 200, 400])
            var hosts: [String] = []
            try alpha.forEachRun(RunQuery(hosts: .all)) { hosts.append($0.hostName) }
            #expect(hosts == ["alpha", "alpha", "beta", "alpha", "beta"])
        }
    }

    @Test(arguments: StoreBackend.Kind.servers)
    func theDaemonPlanIsPerHost(kind: StoreBackend.Kind) throws {
        try withTwoHosts(kind) { alpha, beta in
            var plan = DaemonPlan(pid: 10, startTime: 1000.5, nextRuns: ["a": 1001.25, "b 💤": 1060])
            try alpha.write(plan: plan, over: nil)
            try beta.write(plan: DaemonPlan(pid: 20, startTime: 2000, nextRuns: ["z": 1]), over: nil)
            #expect(try alpha.daemonPlan() == plan)
            let written = plan
            plan.nextRuns = ["a": 1002]
            plan.shutdownStartTime = 1003
            try alpha.write(plan: plan, over: written)
            #expect(try alpha.daemonPlan() == plan)
            #expect(try beta.daemonPlan()?.nextRuns == ["z": 1])
        }
    }

    /// The ordered key follows commit order: while one session holds a
    /// finished run it has not committed, another host's finished run waits
    /// for it instead of committing a larger number first (a reader past
    /// that larger number would skip the smaller one for ever).
    @Test(arguments: StoreBackend.Kind.servers)
    func aLaterNumberNeverCommitsBeforeAnEarlierOne(kind: StoreBackend.Kind) throws {
        let backend = try kind.make()
        let insert = """
            INSERT INTO runs (job_name, run_id, schedule_time, start_time, stop_time, exit_code, trigger_type, trigger_data, run_data, host_name)
            VALUES ('early', '\(Self.uuid())', NOW(), NOW(), NOW(), 0, 'schedule', '{}', '{}', 'alpha')
            """
        let beta: any RunStore
        let reader: any RunStore
        let commitEarly: () throws -> Void
        switch backend {
        case .sqlite:
            Issue.record("SQLite has one writer")
            return
        case .postgresql(let dsn):
            beta = try PostgresRunStore(dsn: dsn, hostName: "beta")
            reader = try PostgresRunStore(dsn: dsn, hostName: "alpha", readOnly: true)
            let early = try PostgresConnection(dsn: dsn, applicationName: "test", connectTimeout: 5)
            try early.execute("BEGIN")
            try early.execute(insert)
            commitEarly = { try early.execute("COMMIT") }
        case .mysql(let options):
            beta = try MySQLRunStore(options: options, hostName: "beta")
            reader = try MySQLRunStore(options: options, hostName: "alpha", readOnly: true)
            let early = try MySQLConnection(options: options, connectTimeout: 5)
            try early.execute("START TRANSACTION")
            try early.execute(insert)
            commitEarly = { try early.execute("COMMIT") }
        }
        let committed = DispatchSemaphore(value: 0)
        let late = run("late", start: 1_700_000_000, stop: 1_700_000_001, exit: 0)
        DispatchQueue.global().async {
            try? beta.recordFinished([late])
            committed.signal()
        }
        #expect(committed.wait(timeout: .now() + 2) == .timedOut, "a later number was committed while an earlier one was open")
        #expect(try reader.maximumPosition() == 0)
        try commitEarly()
        #expect(committed.wait(timeout: .now() + 30) == .success)
        var order: [String] = []
        try reader.forEachFinishedRun(after: 0, hosts: .all) { order.append($0.jobName) }
        #expect(order == ["early", "late"])
    }
}

import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// A DSARI_HOME with three jobs, a run database filled through `RunStore`
/// (as the daemon fills it) and run output files: two finished runs and one
/// running. Times print in UTC (`TZ`).
struct RunHistoryFixture {
    let home: TemporaryDirectory
    let store: SQLiteRunStore
    var environment: [String: String] { ["DSARI_HOME": home.path, "TZ": "UTC"] }

    static let buildDone = RunRecord(
        jobName: "build", runID: "11111111-aaaa-4aaa-8aaa-000000000001", scheduleTime: 1_710_000_000.5,
        startTime: 1_710_000_001.25, stopTime: 1_710_000_010, exitCode: 0,
        runData: ["pid": 12, "output_bytes": 12])
    static let checkFailed = RunRecord(
        jobName: "check", runID: "22222222-bbbb-4bbb-8bbb-000000000002", scheduleTime: 1_710_000_100,
        startTime: 1_710_000_100, stopTime: 1_710_000_160, exitCode: 2, triggerType: "file",
        triggerData: ["environment": ["K": "v \"quoted\"\n\\"], "type": "manual"],
        runData: ["return_data": ["a": [1, 2.5], "b": [:]]])
    static let buildRunning = RunRecord(
        jobName: "build", runID: "33333333-cccc-4ccc-8ccc-000000000003", scheduleTime: 1_710_000_300,
        startTime: 1_710_000_301, runData: ["pid": 99])

    init(database: Bool = true) throws {
        home = try TemporaryDirectory(prefix: "dsari-run-cli")
        try home.write(
            "etc/dsari.yaml",
            """
            jobs:
              build:
                command: [make]
              check:
                command: ["true"]
                schedule_timezone: America/Los_Angeles
              deploy:
                command: ["true"]
            """)
        try FileManager.default.createDirectory(atPath: home.url("var"), withIntermediateDirectories: true)
        store = try SQLiteRunStore(path: home.url(database ? "var/dsari.sqlite3" : "elsewhere.sqlite3"))
        guard database else { return }
        try store.recordStart(Self.buildRunning)
        try store.recordFinished([Self.buildDone, Self.checkFailed])
        try writeOutput(Self.buildDone, "hello\nworld\n")
        try writeOutput(Self.checkFailed, "check says no\n")
        try writeOutput(Self.buildRunning, "started\n")
    }

    func outputPath(_ run: RunRecord) -> String { home.url("var/runs/\(run.jobName)/\(run.runID)/output.txt") }

    func writeOutput(_ run: RunRecord, _ text: String) throws {
        try home.write("var/runs/\(run.jobName)/\(run.runID)/output.txt", text)
    }

    func appendOutput(_ run: RunRecord, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath(run)))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    func triggerPath(_ job: String, _ name: String = "trigger.json") -> String { home.url("var/trigger/\(job)/\(name)") }
}

/// End-to-end: `dsari-info run …` on a real database and data directory.
@Suite("dsari-info run (built binary)")
struct RunCommandTests {
    let info = BinaryRunner("dsari-info")
    typealias Fixture = RunHistoryFixture

    func run(_ fixture: Fixture, _ arguments: [String], timeout: Double = 60) throws -> BinaryRunner.Result {
        let result = try info.run(arguments, environment: fixture.environment, timeout: timeout)
        #expect(!result.timedOut, "dsari-info \(arguments) did not end within \(timeout) s")
        return result
    }

    func jsonObject(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    // MARK: run list

    @Test func listJSONHasEveryRunWithISOTimesAndNullsWhileRunning() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        let result = try run(fixture, ["run", "list", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let runs = try jsonObject(result.standardOutput)
        #expect(
            runs.keys.sorted() == [Fixture.buildDone.runID, Fixture.checkFailed.runID, Fixture.buildRunning.runID].sorted())

        let done = try #require(runs[Fixture.buildDone.runID] as? [String: Any])
        #expect(done["job_name"] as? String == "build")
        #expect(done["exit_code"] as? Int == 0)
        #expect(done["schedule_time"] as? String == "2024-03-09T16:00:00.500000+00:00")
        #expect(done["start_time"] as? String == "2024-03-09T16:00:01.250000+00:00")
        #expect(done["stop_time"] as? String == "2024-03-09T16:00:10+00:00")
        #expect(done["trigger_type"] as? String == "schedule")
        #expect((done["trigger_data"] as? [String: Any])?.isEmpty == true)
        #expect((done["run_data"] as? [String: Any])?["pid"] as? Int == 12)

        let failed = try #require(runs[Fixture.checkFailed.runID] as? [String: Any])
        #expect(failed["exit_code"] as? Int == 2)
        #expect(failed["trigger_type"] as? String == "file")
        let trigger = try #require(failed["trigger_data"] as? [String: Any])
        #expect((trigger["environment"] as? [String: String])?["K"] == "v \"quoted\"\n\\")
        let returned = try #require((failed["run_data"] as? [String: Any])?["return_data"] as? [String: Any])
        #expect(returned["a"] as? [Double] == [1, 2.5])

        let running = try #require(runs[Fixture.buildRunning.runID] as? [String: Any])
        #expect(running["stop_time"] is NSNull)
        #expect(running["exit_code"] is NSNull)
        #expect(running["start_time"] as? String == "2024-03-09T16:05:01+00:00")
        // Four-space layout, keys sorted, as `config dump` writes JSON.
        #expect(
            result.standardOutput.contains(
                """
                    "\(Fixture.buildRunning.runID)": {
                        "exit_code": null,
                        "job_name": "build",
                        "run_data": {
                            "pid": 99
                        },
                """))
    }

    @Test func listFiltersByJobAndRunID() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        let byJob = try jsonObject(try run(fixture, ["run", "list", "--format", "json", "--job", "build"]).standardOutput)
        #expect(byJob.keys.sorted() == [Fixture.buildDone.runID, Fixture.buildRunning.runID])
        let byRun = try jsonObject(
            try run(fixture, ["run", "list", "--format", "json", "--run", Fixture.checkFailed.runID]).standardOutput)
        #expect(Array(byRun.keys) == [Fixture.checkFailed.runID])
        let twoJobs = try jsonObject(
            try run(fixture, ["run", "list", "--format", "json", "--job", "check", "--job", "deploy"]).standardOutput)
        #expect(Array(twoJobs.keys) == [Fixture.checkFailed.runID])
        let none = try run(fixture, ["run", "list", "--format", "json", "--job", "build", "--run", Fixture.checkFailed.runID])
        #expect(none.status == 0)
        #expect(none.standardOutput == "{}\n")
    }

    @Test func listTabularIsOneLinePerRunByStartTime() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        let result = try run(fixture, ["run", "list", "--format", "tabular"])
        #expect(result.status == 0)
        #expect(
            result.standardOutput == """
                \(Fixture.buildDone.runID)\tbuild\t0\tschedule\t2024-03-09T16:00:00.500000+00:00\t2024-03-09T16:00:01.250000+00:00\t2024-03-09T16:00:10+00:00
                \(Fixture.checkFailed.runID)\tcheck\t2\tfile\t2024-03-09T16:01:40+00:00\t2024-03-09T16:01:40+00:00\t2024-03-09T16:02:40+00:00
                \(Fixture.buildRunning.runID)\tbuild\t\tschedule\t2024-03-09T16:05:00+00:00\t2024-03-09T16:05:01+00:00\t

                """)
    }

    @Test func listPrettyShowsRunningRunsWithDotsNewestFirst() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        let result = try run(fixture, ["run", "list"])
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)  // header, rule, three runs
        #expect(lines[0].contains("Run ID") && lines[0].contains("Exit") && lines[0].contains("Duration"))
        let cells = lines.dropFirst(2).map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(cells.map { $0[0] } == [Fixture.buildRunning.runID, Fixture.checkFailed.runID, Fixture.buildDone.runID])
        #expect(cells.map { $0[2] } == ["...", "2", "0"])
        #expect(cells[1][3] == "file")
        #expect(lines[3].hasSuffix("   1m 00s"))
        #expect(lines[4].hasSuffix("   8.7s"))  // 8.75 s
        #expect(!result.standardOutput.contains("\u{1B}["))  // no colour when not a terminal
    }

    @Test func listYAMLReadsBackAsTheSameRuns() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        let result = try run(fixture, ["run", "list", "--format", "yaml"])
        #expect(result.status == 0)
        let node = try ConfigFileReader.parse(result.standardOutput, format: .yaml, file: "run-list.yaml")
        #expect(node.value.mappingEntries?.map(\.key) == [Fixture.buildDone.runID, Fixture.checkFailed.runID, Fixture.buildRunning.runID])
        let running = try #require(node[Fixture.buildRunning.runID])
        #expect(running["stop_time"]?.value == .null)
        #expect(running["exit_code"]?.value == .null)
        #expect(node[Fixture.checkFailed.runID]?["exit_code"]?.value == .int(2))
        #expect(node[Fixture.buildDone.runID]?["start_time"]?.value == .string("2024-03-09T16:00:01.250000+00:00"))
    }

    @Test func listWithoutADatabaseIsEmptyNotAnError() throws {
        let fixture = try Fixture(database: false)
        defer { fixture.home.remove() }
        let json = try run(fixture, ["run", "list", "--format", "json"])
        #expect(json.status == 0, "\(json.standardError)")
        #expect(json.standardOutput == "{}\n")
        let tabular = try run(fixture, ["run", "list", "--format", "tabular"])
        #expect(tabular.status == 0)
        #expect(tabular.standardOutput.isEmpty)
        let pretty = try run(fixture, ["run", "list"])
        #expect(pretty.status == 0)
        #expect(pretty.standardOutput.isEmpty)
        #expect(pretty.standardError.contains("No runs recorded yet"))
        #expect(!FileManager.default.fileExists(atPath: fixture.home.url("var/dsari.sqlite3")))
    }

    @Test func listEscapesStrangeRunIDs() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        // Another tool may have written anything into the run_id column.
        let strange = "odd \"id\"\t\\ \u{1}é"
        try fixture.store.recordFinished([
            RunRecord(jobName: "deploy", runID: strange, scheduleTime: 5, startTime: 5, stopTime: 6, exitCode: 143)
        ])
        let result = try run(fixture, ["run", "list", "--format", "json", "--job", "deploy"])
        let runs = try jsonObject(result.standardOutput)
        #expect(Array(runs.keys) == [strange])
        #expect((runs[strange] as? [String: Any])?["exit_code"] as? Int == 143)
    }

    // MARK: run output

    @Test func outputPrintsTheRunsFile() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        let result = try run(fixture, ["run", "output", Fixture.buildDone.runID])
        #expect(result.status == 0)
        #expect(result.standardOutput == "hello\nworld\n")
        let running = try run(fixture, ["run", "output", Fixture.buildRunning.runID])
        #expect(running.standardOutput == "started\n")
    }

    @Test func outputRefusesUnknownRunsAndMissingFiles() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        let unknown = try run(fixture, ["run", "output", "no-such-run"])
        #expect(unknown.status == 1)
        #expect(unknown.standardOutput.isEmpty)
        #expect(unknown.standardError.contains("no run with id \"no-such-run\""))

        try FileManager.default.removeItem(atPath: fixture.outputPath(Fixture.checkFailed))
        let missing = try run(fixture, ["run", "output", Fixture.checkFailed.runID])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains(fixture.outputPath(Fixture.checkFailed)))
        #expect(missing.standardError.contains("does not exist"))
    }

    // MARK: run tail

    @Test func tailOfFinishedRunsPrintsAndEnds() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        let one = try run(fixture, ["run", "tail", Fixture.buildDone.runID], timeout: 30)
        #expect(one.status == 0)
        #expect(one.standardOutput == "hello\nworld\n")

        let two = try run(fixture, ["run", "tail", Fixture.buildDone.runID, Fixture.checkFailed.runID], timeout: 30)
        #expect(two.status == 0)
        let lines = Set(two.standardOutput.split(separator: "\n").map(String.init))
        #expect(lines == ["[build] hello", "[build] world", "[check] check says no"])

        let unknown = try run(fixture, ["run", "tail", "no-such-run"], timeout: 30)
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("no-such-run"))
    }

    @Test func tailFollowsARunUntilItEnds() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        // Without run ids: every running run (here one). Its output goes to a
        // file the test reads, so each step waits for the tail to show the last.
        let outputPath = fixture.home.url("tail.out")
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let tail = Process()
        tail.executableURL = URL(fileURLWithPath: info.executable)
        tail.arguments = ["run", "tail"]
        tail.environment = ProcessInfo.processInfo.environment.merging(fixture.environment) { $1 }
        tail.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let errorPath = fixture.home.url("tail.err")
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        tail.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try tail.run()
        defer { if tail.isRunning { tail.terminate() } }
        let shown = { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
        #expect(eventually(timeout: 30) { shown() == "started\n" }, "\(shown())")
        try fixture.appendOutput(Fixture.buildRunning, "more output\nlast line without newline")
        #expect(eventually(timeout: 30) { shown().hasPrefix("started\nmore output\n") }, "\(shown())")
        #expect(tail.isRunning, "it follows the run until it ends")
        var finished = Fixture.buildRunning
        finished.stopTime = finished.startTime + 5
        finished.exitCode = 0
        try fixture.store.recordFinished([finished])
        #expect(eventually(timeout: 30) { !tail.isRunning }, "it ends once the run has ended")
        tail.waitUntilExit()
        #expect(tail.terminationStatus == 0, "\((try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")")
        #expect(shown() == "started\nmore output\nlast line without newline")
    }

    @Test func tailWithNothingRunningSaysSo() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        var finished = Fixture.buildRunning
        finished.stopTime = finished.startTime + 1
        finished.exitCode = 1
        try fixture.store.recordFinished([finished])
        let result = try run(fixture, ["run", "tail"], timeout: 30)
        #expect(result.status == 0)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("No run is running"))
    }

    // MARK: run trigger

    @Test func triggerWritesTheFileTheDaemonReads() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        // "check" runs in America/Los_Angeles: 02:30 does not exist on 2024-03-10, 03:00 PDT = 10:00 UTC.
        let result = try run(
            fixture,
            [
                "run", "trigger", "check", "--env", "GREETING=hello world", "--env", "EQUATION=a=b", "--at",
                "2024-03-10T02:30:00", "--type", "manual", "--description", "from the test",
            ])
        #expect(result.status == 0, "\(result.standardError)")
        let path = fixture.triggerPath("check")
        #expect(result.standardOutput.contains(path))
        #expect(result.standardOutput.contains("SIGUSR1"))
        let trigger = try jsonObject(try String(contentsOfFile: path, encoding: .utf8))
        #expect(trigger["environment"] as? [String: String] == ["GREETING": "hello world", "EQUATION": "a=b"])
        #expect(trigger["schedule_time"] as? Int == 1_710_064_800)
        #expect(trigger["type"] as? String == "manual")
        #expect(trigger["description"] as? String == "from the test")
        // Nothing but the trigger is left in the directory (no temporary file).
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.home.url("var/trigger/check")) == ["trigger.json"])

        let epoch = try run(fixture, ["run", "trigger", "build", "--at", "1710000000.5"])
        #expect(epoch.status == 0)
        let epochTrigger = try jsonObject(try String(contentsOfFile: fixture.triggerPath("build"), encoding: .utf8))
        #expect(epochTrigger["schedule_time"] as? Double == 1_710_000_000.5)
        #expect(epochTrigger["environment"] == nil)

        let bare = try run(fixture, ["run", "trigger", "deploy"])
        #expect(bare.status == 0)
        #expect(try String(contentsOfFile: fixture.triggerPath("deploy"), encoding: .utf8) == "{}\n")
    }

    @Test func triggerRefusesBadInputWithoutWritingAnything() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        let unknown = try run(fixture, ["run", "trigger", "nope"])
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("no job named \"nope\""))

        let noEquals = try run(fixture, ["run", "trigger", "build", "--env", "A=1", "--env", "s3cr3t-token"])
        #expect(noEquals.status == 64)
        #expect(noEquals.standardError.contains("--env number 2"))
        #expect(!noEquals.standardError.contains("s3cr3t-token"))

        let noName = try run(fixture, ["run", "trigger", "build", "--env", "=s3cr3t-token"])
        #expect(noName.status == 64)
        #expect(!noName.standardError.contains("s3cr3t-token"))

        let badTime = try run(fixture, ["run", "trigger", "build", "--at", "tomorrow-ish"])
        #expect(badTime.status == 64)
        #expect(badTime.standardError.contains("\"tomorrow-ish\" is not a time"))

        #expect(!FileManager.default.fileExists(atPath: fixture.home.url("var/trigger")))
    }

    @Test func triggerRefusesToOverwriteAPendingOneUnlessReplacing() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        #expect(try run(fixture, ["run", "trigger", "build", "--env", "N=1"]).status == 0)
        let again = try run(fixture, ["run", "trigger", "build", "--env", "N=2"])
        #expect(again.status == 1)
        #expect(again.standardError.contains("--replace"))
        let kept = try jsonObject(try String(contentsOfFile: fixture.triggerPath("build"), encoding: .utf8))
        #expect(kept["environment"] as? [String: String] == ["N": "1"])

        let replaced = try run(fixture, ["run", "trigger", "build", "--env", "N=3", "--replace"])
        #expect(replaced.status == 0)
        let now = try jsonObject(try String(contentsOfFile: fixture.triggerPath("build"), encoding: .utf8))
        #expect(now["environment"] as? [String: String] == ["N": "3"])

        // A waiting trigger.yaml counts too, and --replace removes it (else the daemon would start a second run).
        try fixture.home.write("var/trigger/check/trigger.yaml", "type: by-hand\n")
        #expect(try run(fixture, ["run", "trigger", "check"]).status == 1)
        #expect(try run(fixture, ["run", "trigger", "check", "--replace"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: fixture.triggerPath("check", "trigger.yaml")))
        #expect(FileManager.default.fileExists(atPath: fixture.triggerPath("check")))
    }
}

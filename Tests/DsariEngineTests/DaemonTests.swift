import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// End-to-end: the built dsari-daemon with real child processes and a real
/// SQLite file in a temporary DSARI_HOME. Schedules use the seconds field;
/// waits poll the database with generous bounds.
@Suite("dsari-daemon (built binary)")
struct DaemonTests {
    func runs(_ daemon: DaemonProcess, job: String? = nil, running: Bool = false) throws -> [RunRecord] {
        guard let store = try daemon.store() else { return [] }
        return try store.runs(jobNames: job.map { [$0] } ?? [], runIDs: [], finished: !running, running: running)
    }

    /// Each job's first finished run.
    func firstRunByJob(_ daemon: DaemonProcess) throws -> [String: RunRecord] {
        Dictionary(try runs(daemon).map { ($0.jobName, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func output(_ daemon: DaemonProcess, _ run: RunRecord) -> String {
        (try? String(contentsOfFile: daemon.dataDirectory + "/runs/\(run.jobName)/\(run.runID)/output.txt", encoding: .utf8)) ?? ""
    }

    func environment(_ text: String) -> [String: String] {
        Dictionary(
            text.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let equals = line.firstIndex(of: "=") else { return nil }
                return (String(line[..<equals]), String(line[line.index(after: equals)...]))
            }, uniquingKeysWith: { $1 })
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func environmentOfARunIncludingPreviousGoodAndBad(backend: StoreBackend.Kind) throws {
        let daemon = try DaemonProcess(
            config: """
                environment: {GLOBAL_VAR: global, OVERRIDDEN: global}
                jobs:
                  envjob:
                    command: [/bin/sh, -c, 'env; if [ -e "$JOB_DIR/flag" ]; then exit 1; fi; touch "$JOB_DIR/flag"']
                    schedule: "* * * * * *"
                    environment: {JOB_VAR: 7, OVERRIDDEN: job}
                    jenkins_environment: true
                    concurrency_groups: [solo]
                """, backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually { try runs(daemon, job: "envjob").count >= 3 }, "\(daemon.log)")
        let all = try runs(daemon, job: "envjob")
        let (first, second, third) = (all[0], all[1], all[2])
        #expect(first.exitCode == 0 && second.exitCode == 1)
        let env = environment(output(daemon, third))
        let runDirectory = daemon.dataDirectory + "/runs/envjob/\(third.runID)"
        #expect(env["CI"] == "true" && env["DSARI"] == "true")
        #expect(env["JOB_NAME"] == "envjob" && env["RUN_ID"] == third.runID)
        #expect(env["DATA_DIR"] == daemon.dataDirectory && env["JOB_DIR"] == daemon.dataDirectory + "/runs/envjob")
        #expect(env["RUN_DIR"] == runDirectory && env["PWD"] == runDirectory)
        #expect(env["TRIGGER_TYPE"] == "schedule" && env["TRIGGER_DIR"] == daemon.dataDirectory + "/trigger")
        #expect(env["CONCURRENCY_GROUP"] == "solo")
        #expect(env["HOME"] != nil && env["LOGNAME"] != nil && env["PATH"] != nil)
        #expect(Double(env["SCHEDULE_TIME"] ?? "") == third.scheduleTime)
        #expect(Double(env["START_TIME"] ?? "") == third.startTime)
        #expect(env["GLOBAL_VAR"] == "global" && env["JOB_VAR"] == "7" && env["OVERRIDDEN"] == "job")
        // Previous runs: the last (second, failed), the last good (first), the last bad (second).
        #expect(env["PREVIOUS_RUN_ID"] == second.runID && env["PREVIOUS_EXIT_CODE"] == "1")
        #expect(env["PREVIOUS_GOOD_RUN_ID"] == first.runID && env["PREVIOUS_GOOD_EXIT_CODE"] == "0")
        #expect(env["PREVIOUS_BAD_RUN_ID"] == second.runID)
        #expect(Double(env["PREVIOUS_GOOD_STOP_TIME"] ?? "") == first.stopTime)
        // Jenkins variables.
        #expect(env["BUILD_NUMBER"] == third.runID && env["BUILD_ID"] == third.runID)
        #expect(env["BUILD_URL"] == "file://\(runDirectory)/" && env["WORKSPACE"] == runDirectory)
        #expect(env["BUILD_TAG"] == "dsari-envjob-\(third.runID)" && env["NODE_NAME"] == "master")
        #expect(env["JENKINS_URL"] == "file://\(daemon.dataDirectory)/" && env["EXECUTOR_NUMBER"] == "0")
        // Nothing else leaks in from the daemon's environment.
        #expect(env["DSARI_HOME"] == nil)
        // Started at its schedule time (the benchmark measures latency; this bound only catches a broken timer).
        #expect(third.startTime - third.scheduleTime < 10)
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func exitCodesSignalsAndCommandsThatCannotStart(backend: StoreBackend.Kind) throws {
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  killed: {command: [/bin/sh, -c, 'kill -9 $$'], schedule: "* * * * * *"}
                  missing: {command: [no-such-command-dsari], schedule: "* * * * * *"}
                  notexec: {command: [/etc/hostname], schedule: "* * * * * *"}
                  badpwd: {command: [/bin/true], schedule: "* * * * * *", environment: {PWD: /nonexistent/dir}}
                  appended: {command: [/bin/echo, args], schedule: "* * * * * *", command_append_run: true}
                """, backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually { Set(try runs(daemon).map(\.jobName)).count == 5 }, "\(daemon.log)")
        let byJob = try firstRunByJob(daemon)
        #expect(byJob["killed"]?.exitCode == 137)
        let missing = try #require(byJob["missing"])
        #expect(missing.exitCode == 127)
        #expect(output(daemon, missing).contains("no-such-command-dsari: command not found"))
        #expect(byJob["notexec"]?.exitCode == 126)
        // A PWD that does not exist leaves the run in its run directory.
        #expect(byJob["badpwd"]?.exitCode == 0)
        let appended = try #require(byJob["appended"])
        #expect(output(daemon, appended) == "args appended \(appended.runID)\n")
        #expect(daemon.process.isRunning)
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func timeoutKillsTheShellAndItsBackgroundGrandchild(backend: StoreBackend.Kind) throws {
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  slow:
                    command: [/bin/sh, -c, 'sleep 300 & echo $! > grandchild.pid; trap "" TERM; sleep 300']
                    schedule: "* * * * * *"
                    max_execution: 1
                    max_execution_grace: 1
                """, backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually(timeout: 30) { try !runs(daemon, job: "slow").isEmpty }, "\(daemon.log)")
        let run = try #require(try runs(daemon, job: "slow").first)
        // The shell ignores SIGTERM, so SIGKILL ends it after the grace.
        #expect(run.exitCode == 137)
        #expect(run.runData["timed_out"]?.value == .bool(true))
        let duration = (run.stopTime ?? 0) - run.startTime
        #expect(duration >= 1.9 && duration < 10)
        let pidText = try String(contentsOfFile: daemon.dataDirectory + "/runs/slow/\(run.runID)/grandchild.pid", encoding: .utf8)
        let grandchild = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(eventually(timeout: 30) { kill(grandchild, 0) != 0 || isZombie(grandchild) })
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func concurrencyGroupLimitIsNeverExceeded(backend: StoreBackend.Kind) throws {
        let jobs = (1...4).map { "  g\($0): {command: [/bin/sleep, '0.7'], schedule: '* * * * * *', concurrency_groups: [pair]}" }
        let daemon = try DaemonProcess(
            config: "concurrency_groups: {pair: {max: 2}}\njobs:\n" + jobs.joined(separator: "\n") + "\n", backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually(timeout: 30) { try runs(daemon).count >= 12 }, "\(daemon.log)")
        let all = try runs(daemon)
        var most = 0
        for run in all {
            let overlapping = all.filter { $0.startTime <= run.startTime && ($0.stopTime ?? .infinity) > run.startTime }
            most = max(most, overlapping.count)
        }
        // Never more than the group's max; at least one ran at a time.
        #expect(most <= 2 && most >= 1)
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func concurrentRunsOverlapOnlyWhenAllowed(backend: StoreBackend.Kind) throws {
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  overlap: {command: [/bin/sleep, '2.5'], schedule: "* * * * * *", concurrent_runs: true}
                  single: {command: [/bin/sleep, '2.5'], schedule: "* * * * * *"}
                """, backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually(timeout: 30) { try runs(daemon, job: "single").count >= 2 && runs(daemon, job: "overlap").count >= 3 })
        func overlaps(_ list: [RunRecord]) -> Bool {
            zip(list, list.dropFirst()).contains { $1.startTime < ($0.stopTime ?? .infinity) }
        }
        #expect(overlaps(try runs(daemon, job: "overlap")))
        #expect(!overlaps(try runs(daemon, job: "single")))
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func triggersValidFutureAndRejected(backend: StoreBackend.Kind) throws {
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  manual: {command: [/bin/sh, -c, 'echo "param=$PARAM"']}
                  later: {command: [/bin/true]}
                  badjson: {command: [/bin/true]}
                  badenv: {command: [/bin/true]}
                """, backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        let future = Date().timeIntervalSince1970 + 3
        try daemon.home.write("var/trigger/manual/trigger.json", #"{"environment": {"PARAM": 42}, "type": "ci", "description": "by test"}"#)
        try daemon.home.write("var/trigger/later/trigger.json", #"{"schedule_time": \#(future)}"#)
        try daemon.home.write("var/trigger/badjson/trigger.json", #"{"environment": "#)
        try daemon.home.write("var/trigger/badenv/trigger.yaml", "environment:\n  PARAM: [1, 2]\n")
        try daemon.home.write("var/trigger/nosuchjob/trigger.json", "{}")
        daemon.signal(SIGUSR1)
        #expect(try eventually { try !runs(daemon, job: "manual").isEmpty }, "\(daemon.log)")
        let manual = try #require(try runs(daemon, job: "manual").first)
        #expect(manual.triggerType == "file")
        #expect(output(daemon, manual) == "param=42\n")
        #expect(manual.triggerData["description"]?.value == .string("by test"))
        #expect(!FileManager.default.fileExists(atPath: daemon.dataDirectory + "/trigger/manual/trigger.json"))
        // Rejected triggers are kept aside with the reason; the daemon goes on.
        let rejected = daemon.dataDirectory + "/trigger/badjson/trigger.json.rejected"
        #expect(eventually { FileManager.default.fileExists(atPath: rejected) })
        let reason = try String(contentsOfFile: rejected + ".reason", encoding: .utf8)
        #expect(reason.contains("invalid JSON"))
        #expect(FileManager.default.fileExists(atPath: daemon.dataDirectory + "/trigger/badenv/trigger.yaml.rejected"))
        let unknown = daemon.dataDirectory + "/trigger/nosuchjob/trigger.json.rejected.reason"
        #expect(eventually { FileManager.default.fileExists(atPath: unknown) })
        #expect(try String(contentsOfFile: unknown, encoding: .utf8).contains("no job named \"nosuchjob\""))
        #expect(daemon.log.contains("PARAM"))
        #expect(!daemon.log.contains("[1, 2]"))
        // The future trigger runs at its time, not before.
        #expect(try eventually(timeout: 30) { try !runs(daemon, job: "later").isEmpty })
        let later = try #require(try runs(daemon, job: "later").first)
        #expect(abs(later.scheduleTime - future) < 0.001)
        #expect(later.startTime >= future)
        #expect(daemon.process.isRunning)
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func sighupWithABrokenConfigKeepsTheOldOne(backend: StoreBackend.Kind) throws {
        let daemon = try DaemonProcess(
            config: "jobs:\n  first: {command: [/bin/true], schedule: '* * * * * *'}\n", backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually { try !runs(daemon, job: "first").isEmpty })
        try daemon.home.write("etc/dsari.yaml", "jobs:\n  first: {command: [/bin/true], schedule: 'not a schedule'}\n")
        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("reload refused") })
        let before = try runs(daemon, job: "first").count
        #expect(try eventually { try runs(daemon, job: "first").count > before + 1 })
        // A good config: the removed job gets no new runs, the new one runs.
        try daemon.home.write("etc/dsari.yaml", "jobs:\n  second: {command: [/bin/true], schedule: '* * * * * *'}\n")
        daemon.signal(SIGHUP)
        #expect(try eventually { try !runs(daemon, job: "second").isEmpty }, "\(daemon.log)")
        let firstCount = try runs(daemon, job: "first").count
        usleep(2_500_000)
        #expect(try runs(daemon, job: "first").count <= firstCount + 1)
    }

    @Test(arguments: [false, true], StoreBackend.Kind.allCases)
    func shutdownWaitsOrKills(killRuns: Bool, backend: StoreBackend.Kind) throws {
        let daemon = try DaemonProcess(
            config: """
                shutdown_kill_runs: \(killRuns)
                shutdown_kill_grace: 5
                jobs:
                  long: {command: [/bin/sleep, '3'], schedule: "* * * * * *"}
                """, backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually { try runs(daemon, job: "long", running: true).count == 1 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15) == 0)
        let finished = try runs(daemon, job: "long")
        #expect(finished.count == 1)
        #expect(finished.first?.exitCode == (killRuns ? 143 : 0))
        #expect(try runs(daemon, running: true).isEmpty)
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func killNineRecoveryRecordsInterruptedRunsOnceAndKillsOrphans(backend: StoreBackend.Kind) throws {
        let daemon = try DaemonProcess(
            config: "jobs:\n  stuck: {command: [/bin/sh, -c, 'sleep 300 & sleep 300'], schedule: '* * * * * *'}\n",
            backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually { try runs(daemon, job: "stuck", running: true).count == 1 })
        let inFlight = try #require(try runs(daemon, job: "stuck", running: true).first)
        daemon.signal(SIGKILL)
        _ = daemon.waitForExit()
        // A second daemon on the same home.
        let restarted = try DaemonProcess(config: "jobs: {}\n", home: daemon.home, backend: daemon.backend)
        try restarted.start()
        defer { restarted.stop(keepHome: true) }
        #expect(try eventually { try !runs(daemon, job: "stuck").isEmpty }, "\(restarted.log)")
        let recorded = try runs(daemon, job: "stuck")
        #expect(recorded.map(\.runID) == [inFlight.runID])
        #expect(recorded.first?.exitCode == -1)
        #expect(recorded.first?.runData["interrupted"] != nil)
        #expect(try runs(daemon, running: true).isEmpty)
        // Both sleeps of the old run are gone.
        #expect(eventually(timeout: 30) { (try? pgrepRun(inFlight.runID)) == 0 })
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func outputIsCappedAndTheRunGoesOn(backend: StoreBackend.Kind) throws {
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  chatty:
                    command: [/bin/sh, -c, 'head -c 200000 /dev/zero | tr "\\0" x; echo; echo done > finished.txt']
                    schedule: "* * * * * *"
                    max_output_bytes: 1000
                """, backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually { try !runs(daemon, job: "chatty").isEmpty }, "\(daemon.log)")
        let run = try #require(try runs(daemon, job: "chatty").first)
        #expect(run.exitCode == 0)
        let text = output(daemon, run)
        #expect(text.hasPrefix(String(repeating: "x", count: 1000) + "\n[dsari: output truncated at 1000 bytes"))
        #expect(text.utf8.count < 1200)
        #expect(run.runData["output_truncated"]?.value == .bool(true))
        #expect(FileManager.default.fileExists(atPath: daemon.dataDirectory + "/runs/chatty/\(run.runID)/finished.txt"))
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func returnDataIsStored(backend: StoreBackend.Kind) throws {
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  json: {command: [/bin/sh, -c, 'echo "{\\"tests\\": 12}" > return_data.json'], schedule: "* * * * * *"}
                  yaml: {command: [/bin/sh, -c, 'printf "ok: true\\n" > return_data.yaml'], schedule: "* * * * * *"}
                  broken: {command: [/bin/sh, -c, 'echo "{" > return_data.json'], schedule: "* * * * * *"}
                """, backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually { Set(try runs(daemon).map(\.jobName)).count == 3 })
        let byJob = try firstRunByJob(daemon)
        #expect(byJob["json"]?.runData["return_data"]?.value == ["tests": 12])
        #expect(byJob["yaml"]?.runData["return_data"]?.value == ["ok": true])
        #expect(byJob["broken"]?.runData["return_data"] == nil)
        #expect(byJob["broken"]?.runData["return_data_error"] != nil)
    }

    @Test func sigquitLogsRunningAndPendingRuns() throws {
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  busy: {command: [/bin/sleep, '30'], schedule: "* * * * * *", concurrency_groups: [g]}
                  nightly: {command: [/bin/true], schedule: "0 3 * * *"}
                """)
        defer { daemon.stop() }
        try daemon.start()
        #expect(try eventually { try runs(daemon, job: "busy", running: true).count == 1 })
        let running = try #require(try runs(daemon, job: "busy", running: true).first)
        daemon.signal(SIGQUIT)
        #expect(
            eventually { daemon.log.contains("INFO running group=g job=busy pid=") && daemon.log.contains("run=\(running.runID)") },
            "\(daemon.log)")
        #expect(daemon.log.contains("group=g"))
        #expect(eventually { daemon.log.contains("INFO pending due=") && daemon.log.contains(" job=nightly type=schedule") })
        #expect(daemon.process.isRunning)
    }

    @Test func aSecondDaemonOnTheSameDataIsRefused() throws {
        let daemon = try DaemonProcess(config: "jobs: {}\n")
        defer { daemon.stop() }
        try daemon.start()
        #expect(eventually { daemon.log.contains("dsari-daemon started") })
        let second = try DaemonProcess(config: "jobs: {}\n", home: daemon.home)
        try second.start()
        #expect(second.waitForExit() == 1)
        #expect(second.log.contains("another dsari-daemon is using"))
    }

    @Test func forkDetachesAndKeepsRunning() throws {
        let daemon = try DaemonProcess(config: "jobs:\n  bg: {command: [/bin/true], schedule: '* * * * * *'}\n")
        defer { daemon.stop() }
        // Through a shell, which waits for its own child only: the command
        // returns at once with 0 while the daemon goes on in the background.
        let status = daemon.home.url("fork-status")
        let command =
            "'\(BinaryRunner("dsari-daemon").executable)' -c '\(daemon.configDirectory)' --fork 2>>'\(daemon.logPath)'; echo $? > '\(status)'"
        _ = FileManager.default.createFile(atPath: daemon.logPath, contents: nil)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", command]
        shell.environment = ProcessInfo.processInfo.environment.merging(["DSARI_HOME": daemon.home.path]) { $1 }
        try shell.run()
        #expect(eventually(timeout: 30) { (try? String(contentsOfFile: status, encoding: .utf8)) == "0\n" })
        #expect(try eventually { try !runs(daemon, job: "bg").isEmpty }, "\(daemon.log)")
        let lock = try String(contentsOfFile: daemon.dataDirectory + "/dsari-daemon.lock", encoding: .utf8)
        let pid = try #require(Int32(lock.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGTERM)
        #expect(eventually { kill(pid, 0) != 0 })
        #expect(eventually { daemon.log.contains("dsari-daemon stopped") })
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func httpListenServesTheExporterEndpointsInProcess(backend: StoreBackend.Kind) throws {
        // Port 0: the daemon picks a free one and logs it (a port chosen here could be taken meanwhile).
        let daemon = try DaemonProcess(
            config: "http_listen: \"127.0.0.1:0\"\njobs:\n  tick: {command: [/bin/true], schedule: '* * * * * *'}\n",
            backend: try backend.make())
        defer { daemon.stop() }
        try daemon.start()
        _ = eventually(timeout: 30) { daemon.httpPort != nil }
        let port = try #require(daemon.httpPort, "\(daemon.log)")
        var metrics = ""
        #expect(
            eventually {
                metrics = (try? httpBody(port: port, path: "/metrics")) ?? ""
                return (metricSample(metrics, "dsari_run_count", job: "tick") ?? 0) >= 1
            }, "\(daemon.log)\n\(metrics)")
        #expect(try httpBody(port: port, path: "/status.json").contains("\"tick\""))
        // SIGHUP: the served jobs follow the configuration.
        try daemon.home.write("etc/dsari.yaml", "http_listen: \"127.0.0.1:0\"\njobs:\n  tock: {command: [/bin/true]}\n")
        daemon.signal(SIGHUP)
        #expect(eventually { ((try? httpBody(port: port, path: "/metrics")) ?? "").contains("dsari_run_count{job_name=\"tock\"} 0") })
        #expect(!(try httpBody(port: port, path: "/metrics")).contains("job_name=\"tick\""))
    }

    /// Everything the daemon writes to stderr is a log line of one format
    /// (time, level, message, key=value), also under load with --debug, a
    /// command that cannot start and a rejected trigger (escaping itself:
    /// `LineLogHandlerTests`).
    @Test func everyStderrLineIsALogLineUnderLoad() throws {
        let jobs = (0..<20).map { "  job\($0): {command: [/bin/true], schedule: '* * * * * *'}" }.joined(separator: "\n")
        let daemon = try DaemonProcess(
            config: "http_listen: \"127.0.0.1:0\"\njobs:\n\(jobs)\n  missing: {command: [/nonexistent/x], schedule: '* * * * * *'}\n")
        defer { daemon.stop() }
        try daemon.home.write("var/trigger/job0/trigger.yaml", "environment: [unclosed\n  - {\n")
        try daemon.start()
        #expect(
            eventually(timeout: 30) {
                daemon.log.contains("trigger rejected") && daemon.log.components(separatedBy: "run finished").count > 60
            }, "\(daemon.log.suffix(3000))")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        let lines = daemon.log.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let format = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|NOTICE|WARNING|ERROR|CRITICAL) \S.*$/
        let strays = lines.filter { $0.wholeMatch(of: format) == nil }
        #expect(lines.count > 100 && strays.isEmpty, "\(lines.count) lines; not log lines: \(strays.prefix(5))")
        let rejected = try #require(lines.first { $0.contains("trigger rejected") })
        #expect(rejected.contains("reason=\"") && rejected.contains("job=job0"), "\(rejected)")
        #expect(lines.contains { $0.contains("serving /metrics, /status and /status.json address=127.0.0.1:") })
    }

    @Test func aBadConfigStopsTheDaemonWithTheReason() throws {
        let daemon = try DaemonProcess(config: "jobs:\n  x: {schedule: '* * * * *'}\n")
        defer { daemon.stop() }
        try daemon.start()
        #expect(daemon.waitForExit() == 1)
        #expect(daemon.log.contains("\"command\" is required"))
    }
}

/// Whether `pid` is a zombie (exited, not yet reaped by its new parent).
func isZombie(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
        return false
    }
    return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
}

/// How many live processes carry RUN_ID=`runID` in their environment.
func pgrepRun(_ runID: String) throws -> Int { try pidsOfRun(runID).count }

/// The live processes that carry RUN_ID=`runID` in their environment.
func pidsOfRun(_ runID: String) throws -> [Int32] {
    let entries = try FileManager.default.contentsOfDirectory(atPath: "/proc")
    return entries.compactMap(Int32.init).filter { pid in
        guard !isZombie(pid), let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
        return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "RUN_ID=\(runID)" }
    }
}

import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// Nagios checks run by the built daemon: real plugins from Debian's
/// monitoring-plugins, their result interpreted and stored as `run_data.nagios`.
@Suite("Nagios checks through dsari-daemon")
struct NagiosCheckTests {
    static let plugins = "/usr/lib/nagios/plugins"

    @Test func statesOutputAndPerfdataOfRealPlugins() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "\(Self.plugins)/check_dummy"),
            "monitoring-plugins-basic is needed; script/test installs it")
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  ok: {command: [\(Self.plugins)/check_dummy, '0', all good], schedule: "* * * * * *", nagios_check: true}
                  warning: {command: [\(Self.plugins)/check_dummy, '1', getting full], schedule: "* * * * * *", nagios_check: true}
                  critical: {command: [\(Self.plugins)/check_dummy, '2', down], schedule: "* * * * * *", nagios_check: true}
                  unknown: {command: [\(Self.plugins)/check_dummy, '3', what], schedule: "* * * * * *", nagios_check: true}
                  load: {command: [\(Self.plugins)/check_load, -w, '900,900,900', -c, '999,999,999'], schedule: "* * * * * *", nagios_check: true}
                  slow: {command: [/bin/sh, -c, 'echo never; sleep 30'], schedule: "* * * * * *", nagios_check: true, max_execution: 1, max_execution_grace: 1}
                  missing: {command: [\(Self.plugins)/check_nothing_here], schedule: "* * * * * *", nagios_check: true}
                  noisy: {command: [/bin/sh, -c, 'echo "OK - fine | a=1;2;3;0;10"; echo oops >&2'], schedule: "* * * * * *", nagios_check: true}
                  plain: {command: [/bin/true], schedule: "* * * * * *"}
                  dummy4: {command: [\(Self.plugins)/check_dummy, '4', odd], schedule: "* * * * * *", nagios_check: true}
                  exit4: {command: [/bin/sh, -c, 'echo odd; exit 4'], schedule: "* * * * * *", nagios_check: true, out_of_range_exit: unknown}
                  users: {command: [\(Self.plugins)/check_users, -w, '500', -c, '1000'], schedule: "* * * * * *", nagios_check: true}
                  disk: {command: [\(Self.plugins)/check_disk, -w, '0%', -c, '0%', -p, /], schedule: "* * * * * *", nagios_check: true}
                  procs: {command: [\(Self.plugins)/check_procs, -w, '100000', -c, '200000'], schedule: "* * * * * *", nagios_check: true}
                  http: {command: [\(Self.plugins)/check_http, -H, 127.0.0.1, -p, '1'], schedule: "* * * * * *", nagios_check: true}
                """)
        defer { daemon.stop() }
        try daemon.start()
        let store = { try SQLiteRunStore(path: daemon.databasePath) }
        var byJob: [String: RunRecord] = [:]
        #expect(
            try eventually(timeout: 30) {
                guard FileManager.default.fileExists(atPath: daemon.databasePath) else { return false }
                byJob = Dictionary(try store().runs(jobNames: [], runIDs: [], running: false).map { ($0.jobName, $0) }) { first, _ in first
                }
                return byJob.count == 15
            }, "\(daemon.log)")
        func nagios(_ job: String) -> ConfigValue? { byJob[job]?.runData["nagios"]?.value }
        #expect(nagios("ok")?["current_state"]?.value == .int(0))
        #expect(nagios("ok")?["state_name"]?.value == .string("OK"))
        #expect(nagios("ok")?["plugin_output"]?.value == .string("OK: all good"))
        #expect(nagios("warning")?["current_state"]?.value == .int(1))
        #expect(nagios("critical")?["current_state"]?.value == .int(2))
        #expect(nagios("unknown")?["current_state"]?.value == .int(3))
        // check_load: real performance data, parsed.
        let load = try #require(nagios("load"))
        #expect(load["current_state"]?.value == .int(0))
        guard case .array(let perfdata)? = load["perfdata"]?.value else {
            Issue.record("no perfdata: \(load)")
            return
        }
        #expect(perfdata.contains { $0.value["label"]?.value == .string("load1") && $0.value["warn"]?.value == .string("900.000") })
        // Timed out: UNKNOWN with NRPE's words.
        #expect(nagios("slow")?["current_state"]?.value == .int(3))
        #expect(nagios("slow")?["plugin_output"]?.value == .string("NRPE: Command timed out after 1 seconds"))
        // A missing plugin: 127, out of bounds → CRITICAL (Nagios Core's reading).
        #expect(byJob["missing"]?.exitCode == 127)
        #expect(nagios("missing")?["current_state"]?.value == .int(2))
        #expect(nagios("missing")?["note"]?.value == .string("(Return code of 127 is out of bounds - plugin may be missing)"))
        // Only stdout is plugin output; stderr still reaches output.txt.
        #expect(nagios("noisy")?["plugin_output"]?.value == .string("OK - fine"))
        #expect(nagios("noisy")?["performance_data"]?.value == .string("a=1;2;3;0;10"))
        let noisy = try #require(byJob["noisy"])
        let text = try String(contentsOfFile: daemon.dataDirectory + "/runs/noisy/\(noisy.runID)/output.txt", encoding: .utf8)
        // Marked, since only stdout is plugin output.
        #expect(text.contains("OK - fine | a=1;2;3;0;10\n") && text.contains("[stderr] oops\n"), "\(text)")
        // check_dummy refuses 4 itself (UNKNOWN, exit 3); a bare exit 4 follows out_of_range_exit (unknown here).
        #expect(nagios("dummy4")?["current_state"]?.value == .int(3))
        #expect(nagios("dummy4")?["plugin_output"]?.value == .string("UNKNOWN: Status 4 is not a supported error state"))
        #expect(byJob["exit4"]?.exitCode == 4)
        #expect(nagios("exit4")?["current_state"]?.value == .int(3))
        #expect(nagios("exit4")?["note"]?.value == .string("(Return code of 4 is out of bounds)"))
        // More real plugins, with their performance data.
        func perfdatum(_ job: String, _ label: String) -> ConfigValue? {
            guard case .array(let items)? = nagios(job)?["perfdata"]?.value else { return nil }
            return items.first { $0.value["label"]?.value == .string(label) }?.value
        }
        #expect(nagios("users")?["current_state"]?.value == .int(0))
        #expect(perfdatum("users", "users")?["warn"]?.value == .string("500"))
        // check_disk with 0 % thresholds: OK, used space in bytes with the file system size as max.
        #expect(nagios("disk")?["current_state"]?.value == .int(0), "\(String(describing: nagios("disk")))")
        #expect(perfdatum("disk", "/")?["uom"]?.value == .string("B"))
        if case .double(let size)? = perfdatum("disk", "/")?["max"]?.value { #expect(size > 0) } else { Issue.record("no disk size") }
        #expect(nagios("procs")?["current_state"]?.value == .int(0))
        if case .double(let count)? = perfdatum("procs", "procs")?["value"]?.value {
            #expect(count >= 1)
        } else {
            Issue.record("no process count")
        }
        // check_http on a closed port of 127.0.0.1: CRITICAL, the refusal as status text.
        #expect(nagios("http")?["current_state"]?.value == .int(2))
        #expect(nagios("http")?["plugin_output"]?.value.stringValue?.contains("Connection refused") == true)
        #expect(nagios("http")?["long_plugin_output"]?.value == .string("HTTP CRITICAL - Unable to open TCP socket"))
        // A job that is not a check gets no interpretation.
        #expect(byJob["plain"]?.runData["nagios"] == nil)

        // The exporter publishes the check state and the performance data.
        let dump = try BinaryRunner("dsari-prometheus-exporter").run(
            ["-c", daemon.configDirectory, "--dump"], environment: ["DSARI_HOME": daemon.home.path])
        let metrics = dump.standardOutput
        #expect(metrics.contains("dsari_check_state{job_name=\"critical\"} 2\n"), "\(metrics)")
        #expect(metrics.contains("dsari_check_state{job_name=\"slow\"} 3\n"))
        #expect(metrics.contains("dsari_check_state_info{job_name=\"warning\",state=\"warning\"} 1\n"))
        #expect(metrics.contains("dsari_check_state_info{job_name=\"warning\",state=\"ok\"} 0\n"))
        #expect(metrics.contains("dsari_check_perfdata_value{job_name=\"noisy\",label=\"a\",unit=\"\"} 1.0\n"))
        #expect(metrics.contains("dsari_check_perfdata_warning_high{job_name=\"noisy\",label=\"a\",unit=\"\"} 2.0\n"))
        #expect(metrics.contains("dsari_check_perfdata_critical_high{job_name=\"noisy\",label=\"a\",unit=\"\"} 3.0\n"))
        #expect(metrics.contains("dsari_check_perfdata_max{job_name=\"noisy\",label=\"a\",unit=\"\"} 10.0\n"))
        #expect(metrics.contains("dsari_check_perfdata_value{job_name=\"load\",label=\"load1\",unit=\"\"} "))
        #expect(!metrics.contains("dsari_check_state{job_name=\"plain\"}"))

        // dsari-info check status: the same states for people and scripts.
        let info = BinaryRunner("dsari-info")
        let json = try info.run(
            ["-c", daemon.configDirectory, "check", "status", "--format", "json"], environment: ["DSARI_HOME": daemon.home.path])
        // The exit code is the worst state shown: "slow" and "unknown" are UNKNOWN (3).
        #expect(json.status == 3, "\(json.standardError)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]])
        let checks = Dictionary(list.map { ($0["job_name"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(checks["critical"]?["current_state"] as? Int == 2)
        #expect(checks["ok"]?["plugin_output"] as? String == "OK: all good")
        #expect(checks["plain"] == nil)  // not a check
        let pretty = try info.run(
            ["-c", daemon.configDirectory, "check", "status", "--job", "warning"], environment: ["DSARI_HOME": daemon.home.path])
        let lines = pretty.standardOutput.split(separator: "\n")
        #expect(pretty.status == 1)
        #expect(lines.count == 3)
        #expect(lines.last?.hasPrefix("warning") == true && lines.last?.contains("WARNING") == true)
        #expect(lines.last?.contains("1/1") == true && lines.first?.contains("Next Check") == true)
        #expect(lines.last?.contains("HARD") == true)
    }

    /// Nagios' soft/hard logic with retry_interval on a seconds schedule,
    /// and a restart that goes on from the recorded state.
    @Test(arguments: StoreBackend.Kind.allCases)
    func softThenHardWithRetriesAndARestartKeepsTheState(backend kind: StoreBackend.Kind) throws {
        let home = try TemporaryDirectory(prefix: "dsari-soft-hard")
        let config = """
            jobs:
              flaky:
                command: [/bin/sh, -c, 'code=$(cat \(home.url("state"))); echo "state $code"; exit $code']
                schedule: "* * * * * */10"
                nagios_check: true
                max_check_attempts: 3
                retry_interval: 1
            """
        let daemon = try DaemonProcess(config: config, home: home, backend: try kind.make())
        defer { daemon.stop() }
        try daemon.home.write("state", "2")
        try daemon.start()
        func runs() throws -> [RunRecord] {
            try daemon.store()?.runs(jobNames: ["flaky"], runIDs: [], running: false) ?? []
        }
        func field(_ run: RunRecord, _ key: String) -> ConfigValue? { run.runData["nagios"]?.value[key]?.value }
        #expect(try eventually(timeout: 60) { try runs().count >= 4 }, "\(daemon.log)")
        daemon.stop(keepHome: true)
        let first = try runs()
        try #require(first.count >= 4)
        // Attempt 1 and 2 are SOFT and retried after 1 s; attempt 3 is HARD; then the schedule again.
        #expect(first.prefix(4).map(\.triggerType) == ["schedule", "retry", "retry", "schedule"])
        #expect(first.prefix(4).map { field($0, "current_attempt") } == [.int(1), .int(2), .int(3), .int(3)])
        #expect(first.prefix(4).map { field($0, "state_type") } == [.int(0), .int(0), .int(1), .int(1)])
        #expect(first.prefix(4).map { field($0, "max_attempts") } == Array(repeating: .int(3), count: 4))
        for index in 1...2 {
            let gap = first[index].startTime - first[index - 1].startTime
            #expect(gap >= 0.9 && gap < 4, "retry \(index) came \(gap) s after the attempt before")
        }
        // Seconds come last in croniter's six fields: every 10 s (room for two
        // retries on a busy machine), from the first run's time.
        #expect(
            abs(first[3].scheduleTime - first[0].scheduleTime - 10) < 0.001,
            "back on the 10 s schedule: \(first.map { ($0.triggerType, $0.scheduleTime, $0.startTime) })")
        let hardChange = first[2].startTime
        #expect(field(first[3], "last_hard_state_change") == .double(hardChange))
        #expect(field(first[3], "last_state_change") == .double(first[0].startTime))

        // A new daemon goes on from the recorded state: still HARD, same hard state change.
        let again = try DaemonProcess(config: config, home: home, backend: daemon.backend)
        defer { again.stop() }
        try again.start()
        let before = first.count
        #expect(try eventually(timeout: 60) { try runs().count > before }, "\(again.log)")
        let resumed = try runs()[before]
        #expect(resumed.triggerType == "schedule")
        #expect(field(resumed, "state_type") == .int(1) && field(resumed, "current_attempt") == .int(3))
        #expect(field(resumed, "last_hard_state_change") == .double(hardChange))
        // Recovery: HARD at once, attempt 1, the hard state changes.
        try daemon.home.write("state", "0")
        var recovery: RunRecord?
        #expect(
            try eventually(timeout: 60) {
                recovery = try runs().first { field($0, "current_state") == .int(0) }
                return recovery != nil
            }, "\(again.log)")
        if let recovery {
            #expect(field(recovery, "state_type") == .int(1) && field(recovery, "current_attempt") == .int(1))
            #expect(field(recovery, "last_hard_state_change") == .double(recovery.startTime))
            #expect(field(recovery, "last_time_critical") != .null)
        }
        let dump = try BinaryRunner("dsari-prometheus-exporter").run(
            ["-c", again.configDirectory, "--dump"], environment: ["DSARI_HOME": again.home.path])
        #expect(dump.standardOutput.contains("dsari_check_max_attempts{job_name=\"flaky\"} 3\n"), "\(dump.standardOutput)")
    }
}

/// `nrpe_config` in dsari.yaml: nrpe.cfg's commands as jobs, at every load.
@Suite("nrpe_config live import")
struct NRPELiveImportTests {
    @Test func importedChecksRunAndSighupPicksUpChanges() throws {
        let plugins = NagiosCheckTests.plugins
        try #require(FileManager.default.isExecutableFile(atPath: "\(plugins)/check_dummy"))
        let daemon = try DaemonProcess(
            config: """
                nrpe_config: nrpe.cfg
                nrpe_prefix: nrpe_
                nrpe_schedule: "* * * * * *"
                jobs:
                  # Files win over the import: this imported check runs on triggers only.
                  nrpe_check_quiet: {schedule: null}
                """)
        defer { daemon.stop() }
        try daemon.home.write(
            "etc/nrpe.cfg",
            "command_timeout=20\ncommand[check_ok]=\(plugins)/check_dummy 0 fine\ncommand[check_quiet]=\(plugins)/check_dummy 1 meh\n")
        let info = try BinaryRunner("dsari-info").run(["-c", daemon.configDirectory, "job", "list", "--format", "json"])
        #expect(info.status == 0, "\(info.standardError)")
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(info.standardOutput.utf8)) as? [String: [String: Any]])
        #expect(jobs["nrpe_check_ok"]?["command"] as? [String] == ["/bin/sh", "-c", "\(plugins)/check_dummy 0 fine"])
        #expect(jobs["nrpe_check_ok"]?["max_execution"] as? Double == 20)
        #expect(jobs["nrpe_check_quiet"]?["schedule"] is NSNull)
        try daemon.start()
        func runs(_ job: String) throws -> [RunRecord] {
            guard FileManager.default.fileExists(atPath: daemon.databasePath) else { return [] }
            return try SQLiteRunStore(path: daemon.databasePath).runs(jobNames: [job], runIDs: [], running: false)
        }
        #expect(try eventually { try !runs("nrpe_check_ok").isEmpty }, "\(daemon.log)")
        #expect(try runs("nrpe_check_ok").first?.runData["nagios"]?.value["plugin_output"]?.value == .string("OK: fine"))
        #expect(try runs("nrpe_check_quiet").isEmpty)
        // Dropping a command that dsari.yaml adjusts leaves a job without a
        // command: the reload is refused with the reason, the old jobs go on.
        try daemon.home.write("etc/nrpe.cfg", "command[check_ok]=\(plugins)/check_dummy 0 fine\n")
        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("reload refused") && daemon.log.contains("nrpe_check_quiet") })
        // A new command in nrpe.cfg and a SIGHUP: it runs.
        try daemon.home.write(
            "etc/nrpe.cfg",
            "command[check_ok]=\(plugins)/check_dummy 0 fine\ncommand[check_quiet]=\(plugins)/check_dummy 1 meh\ncommand[check_new]=\(plugins)/check_dummy 2 broken\n"
        )
        daemon.signal(SIGHUP)
        #expect(try eventually { try !runs("nrpe_check_new").isEmpty }, "\(daemon.log)")
        #expect(try runs("nrpe_check_new").first?.runData["nagios"]?.value["current_state"]?.value == .int(2))
    }

    @Test func anUnreadableNRPEConfigIsAConfigError() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let file = try home.write("etc/dsari.yaml", "jobs: {}\nnrpe_config: /nonexistent/nrpe.cfg\n")
        let result = try BinaryRunner("dsari-info").run(["-c", home.url("etc"), "config", "check"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("\(file):2"))
        #expect(result.standardError.contains("nrpe_config"))
    }
}

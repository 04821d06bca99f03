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
                """)
        defer { daemon.stop() }
        try daemon.start()
        let store = { try RunStore(path: daemon.databasePath) }
        var byJob: [String: RunRecord] = [:]
        #expect(
            try eventually(timeout: 30) {
                guard FileManager.default.fileExists(atPath: daemon.databasePath) else { return false }
                byJob = Dictionary(try store().runs(jobNames: [], runIDs: [], running: false).map { ($0.jobName, $0) }) { first, _ in first
                }
                return byJob.count == 9
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
        #expect(text.contains("oops"))
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
            return try RunStore(path: daemon.databasePath).runs(jobNames: [job], runIDs: [], running: false)
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

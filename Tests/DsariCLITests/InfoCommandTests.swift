import DsariCore
import DsariTestSupport
import Foundation
import Testing

/// End-to-end: the built `dsari-info` as a user runs it.
@Suite("dsari-info (built binary)")
struct InfoCommandTests {
    let info = BinaryRunner("dsari-info")
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let sampleConfig = (packageRoot as NSString).appendingPathComponent("sample/etc")

    func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func versionIsPrinted() throws {
        let result = try info.run(["--version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func sampleConfigIsValid() throws {
        let result = try info.run(["-c", Self.sampleConfig, "config", "check"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Config OK: 7 job(s)"))
        #expect(result.standardError.isEmpty)
    }

    @Test func badConfigIsRefusedWithFileLineJobAndKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write(
            "dsari.yaml",
            """
            jobs:
              build:
                command: [make]
                max_execution: ten
            """)
        let result = try info.run(["-c", directory.path, "config", "check"])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        let message = result.standardError
        #expect(message.contains("\(file):4"))
        #expect(message.contains("\"build\""))
        #expect(message.contains("max_execution"))
    }

    @Test func badScheduleIsRefusedNamingTheJob() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("dsari.json", #"{"jobs": {"nightly": {"command": ["true"], "schedule": "0 0 30 2 *"}}}"#)
        let result = try info.run(["-c", directory.path, "config", "check"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("nightly"))
        #expect(result.standardError.contains("schedule"))
        #expect(result.standardError.contains("no date ever matches"))
    }

    @Test func unknownKeysAreWarnedNotFatal() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("dsari.yaml", "jobs:\n  a:\n    command: [/bin/true]\n    comand_append_run: true\n")
        let result = try info.run(["-c", directory.path, "config", "check"])
        #expect(result.status == 0)
        #expect(result.standardError.contains("comand_append_run"))
        #expect(result.standardError.contains("dsari.yaml:4"))
    }

    @Test func dumpFillsInDefaults() throws {
        let result = try info.run(["-c", Self.sampleConfig, "config", "dump", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let dump = try #require(try json(result.standardOutput) as? [String: Any])
        let jobs = try #require(dump["jobs"] as? [String: Any])
        let hello = try #require(jobs["hello"] as? [String: Any])
        #expect(hello["max_execution_grace"] as? Double == 60)
        #expect(hello["command"] as? [String] == ["/bin/sh", "-c", "echo \"Hello from $JOB_NAME, run $RUN_ID\"; date"])
        let check = try #require(jobs["check-api"] as? [String: Any])
        #expect(check["job_group"] as? String == "web-checks")
        let groups = try #require(dump["concurrency_groups"] as? [String: Any])
        #expect((groups["reports"] as? [String: Any])?["max"] as? Int == 1)
        #expect(dump["shutdown_kill_runs"] as? Bool == false)
    }

    /// A configuration that sets every key of `ConfigKeys`: `config check`
    /// reads them all (no unknown-key warning), and `config dump` shows every
    /// one with its value (it left out `http_listen`, the `nrpe_*` keys,
    /// `max_output_bytes` and `metrics_duration_buckets` before the table).
    @Test func dumpShowsEveryKeyOfAConfigThatSetsThemAll() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("etc/nrpe.cfg", "command[check_x]=/bin/echo OK $ARG1$\n")
        let job = """
            command: [/bin/true], command_append_run: false, schedule: "H * * * *", schedule_timezone: UTC,
                environment: {A: b}, max_execution: 30, max_execution_grace: 5, concurrency_groups: [g], render_reports: false,
                jenkins_environment: true, job_group: grp, concurrent_runs: true, kill_leftover_processes: true,
                max_output_bytes: 4096, nagios_check: true, max_check_attempts: 3, retry_interval: 60, out_of_range_exit: unknown,
                flap_detection: true, low_flap_threshold: 10, high_flap_threshold: 40, nrpe_command: check_all,
                nrpe_arguments: [a, b]
            """
        try directory.write("etc/web.yml", "http_server_config: {http2: true}\n")
        try directory.write(
            "etc/dsari.yaml",
            """
            jobs:
              every: {\(job)}
            job_groups:
              grouped: {job_names: [g1], command: [/bin/true]}
            concurrency_groups: {g: {max: 2}}
            config_d: null
            data_dir: \(directory.url("var"))
            database: {type: sqlite3, file: \(directory.url("runs.sqlite3")), connect_timeout: 5}
            environment: {X: y}
            shutdown_kill_runs: true
            shutdown_kill_grace: 10
            template_dir: \(directory.url("templates"))
            report_html_gz: true
            report_run_output_start: 100
            report_run_output_end: 200
            host_name: web-01
            max_output_bytes: 8192
            kill_leftover_processes: true
            http_listen: "127.0.0.1:50575"
            http_web_config: web.yml
            metrics_duration_buckets: [0.5, 5, 50]
            nrpe_config: nrpe.cfg
            nrpe_prefix: "nrpe_"
            nrpe_schedule: "*/2 * * * *"
            nrpe_out_of_range_exit: critical
            nrpe_listen: "127.0.0.1:5666"
            nrpe_allowed_hosts: [127.0.0.1, 10.0.0.0/8]
            nrpe_allow_arguments: true
            nrpe_no_result: run
            nrpe_ssl: true
            nrpe_ssl_cert_file: cert.pem
            nrpe_ssl_privatekey_file: key.pem
            nrpe_ssl_cacert_file: ca.pem
            nrpe_connection_timeout: 7

            """)
        let check = try info.run(["-c", directory.url("etc"), "config", "check"])
        #expect(check.status == 0 && check.standardError.isEmpty, "\(check.standardOutput)\(check.standardError)")
        let result = try info.run(["-c", directory.url("etc"), "config", "dump", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let dump = try #require(try json(result.standardOutput) as? [String: Any])
        let jobs = try #require(dump["jobs"] as? [String: [String: Any]])
        for key in ConfigKeys.all {
            switch key.dump {
            case .topLevel: #expect(dump[key.name] != nil, "config dump leaves out \(key.name)")
            case .job: #expect(jobs["every"]?[key.name] != nil, "config dump leaves out the job key \(key.name)")
            case .within: continue
            }
        }
        #expect(Set(jobs.keys) == ["every", "g1", "nrpe_check_x"])
        #expect(dump["http_listen"] as? String == "127.0.0.1:50575" && dump["nrpe_listen"] as? String == "127.0.0.1:5666")
        #expect(dump["http_web_config"] as? String == directory.url("etc/web.yml"))
        #expect(dump["max_output_bytes"] as? Int == 8192 && dump["metrics_duration_buckets"] as? [Double] == [0.5, 5, 50])
        #expect(dump["nrpe_out_of_range_exit"] as? String == "critical" && dump["nrpe_connection_timeout"] as? Double == 7)
        #expect(jobs["every"]?["nrpe_arguments"] as? [String] == ["a", "b"] && jobs["every"]?["max_output_bytes"] as? Int == 4096)
        #expect(jobs["nrpe_check_x"]?["nrpe_arguments"] as? String == "query")
        #expect(jobs["nrpe_check_x"]?["out_of_range_exit"] as? String == "critical")
        // Jobs that are not checks show no check options (dsari's own dump has none).
        #expect(jobs["g1"]?["max_check_attempts"] == nil && jobs["g1"]?["nrpe_command"] == nil)
    }

    /// docs/configuration.md is `dsari-info config reference`, generated from the key table.
    @Test func theConfigurationReferenceIsCurrent() throws {
        let path = (Self.packageRoot as NSString).appendingPathComponent("docs/configuration.md")
        let written = try String(contentsOfFile: path, encoding: .utf8)
        let result = try info.run(["config", "reference"])
        #expect(result.status == 0)
        #expect(
            written == result.standardOutput,
            "docs/configuration.md is stale: regenerate it with `dsari-info config reference > docs/configuration.md`")
        for key in ConfigKeys.all { #expect(written.contains("| `\(key.name)` |")) }
    }

    @Test func rawDumpIsTheMergedFiles() throws {
        let result = try info.run(["-c", Self.sampleConfig, "config", "dump", "--raw", "--format", "yaml"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("job_names:"))
        #expect(result.standardOutput.contains("manual-build:"))  // from config.d
        #expect(!result.standardOutput.contains("max_execution_grace"))  // no defaults in raw
    }

    @Test func jobListFormats() throws {
        let listing = try info.run(["-c", Self.sampleConfig, "job", "list", "--format", "json"])
        #expect(listing.status == 0)
        let jobs = try #require(try json(listing.standardOutput) as? [String: [String: Any]])
        #expect(jobs.keys.sorted() == ["check-api", "check-home", "disk-usage", "hello", "manual-build", "nightly-report", "root-disk"])
        #expect(jobs["manual-build"]?["next_scheduled_run"] is NSNull)
        let next = try #require(jobs["hello"]?["next_scheduled_run"] as? String)
        #expect(next.contains("T"))

        let tabular = try info.run(["-c", Self.sampleConfig, "job", "list", "--format", "tabular", "--job", "disk-usage"])
        #expect(tabular.standardOutput == "disk-usage\tH/5 * * * *\t\(try nextRunField(tabular))\tdf -h /\n")

        let pretty = try info.run(["-c", Self.sampleConfig, "job", "list"])
        let lines = pretty.standardOutput.split(separator: "\n")
        #expect(lines.count == 9)  // header, rule, seven jobs
        #expect(lines[0].contains("Job Name") && lines[0].contains("Next Scheduled Run"))
        #expect(!pretty.standardOutput.contains("\u{1B}["))  // no colour when not a terminal
    }

    private func nextRunField(_ result: BinaryRunner.Result) throws -> String {
        let fields = result.standardOutput.split(separator: "\t", omittingEmptySubsequences: false)
        return try #require(fields.count == 4 ? String(fields[2]) : nil)
    }

    @Test func schedulePreviewJSONIsExact() throws {
        // SPEC §4's example: "hello" hashes its second to 32; 02:30:32 does not exist on 2024-03-10 in Los Angeles.
        let result = try info.run([
            "schedule", "30 2 * * *", "--job", "hello", "--after", "2024-03-09T12:00:00",
            "--timezone", "America/Los_Angeles", "--count", "2", "--format", "json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let items = try #require(try json(result.standardOutput) as? [[String: Any]])
        #expect(items.map { $0["iso"] as? String } == ["2024-03-10T03:00:32.211192-07:00", "2024-03-11T02:30:32.211192-07:00"])
        // 2024-03-10T10:00:32Z = 1710064832.
        #expect(result.standardOutput.contains("\"epoch\": 1710064832.211192,"))
    }

    @Test func schedulePreviewEndsWithTheRule() throws {
        let result = try info.run([
            "schedule", "RRULE:FREQ=DAILY;UNTIL=20240103T235959Z", "--job", "hello", "--after", "2024-01-01T00:00:00Z",
            "--timezone", "UTC", "--count", "10", "--format", "json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let items = try #require(try json(result.standardOutput) as? [[String: Any]])
        // DTSTART is hashed to 09:21:10 UTC for "hello" (907060870 mod 86400 = 33670 s).
        #expect(
            items.map { $0["iso"] as? String } == [
                "2024-01-01T09:21:10.211192+00:00", "2024-01-02T09:21:10.211192+00:00", "2024-01-03T09:21:10.211192+00:00",
            ])
    }

    @Test func schedulePreviewPrettyIsRelative() throws {
        let result = try info.run([
            "schedule", "@hourly", "--job", "hello", "--after", "2024-01-01T00:00:00Z", "--timezone", "UTC", "--count", "2",
        ])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("2024-01-01T00:10:32.211192+00:00"))
        #expect(result.standardOutput.contains("in 10m 32s"))
        #expect(result.standardOutput.contains("in 1h 10m"))
    }

    @Test func schedulePreviewRefusesBadInput() throws {
        let bad = try info.run(["schedule", "61 * * * *", "--job", "x"])
        #expect(bad.status == 1)
        #expect(bad.standardError.contains("minute field \"61\""))
        let count = try info.run(["schedule", "RRULE:FREQ=DAILY;COUNT=3", "--job", "x"])
        #expect(count.status == 1)
        #expect(count.standardError.contains("COUNT"))
        let after = try info.run(["schedule", "@daily", "--job", "x", "--after", "yesterday"])
        #expect(after.status == 64)
        #expect(after.standardError.contains("\"yesterday\" is not a time"))
        let zone = try info.run(["schedule", "@daily", "--job", "x", "--timezone", "Mars/Olympus"])
        #expect(zone.status == 64)
        #expect(zone.standardError.contains("Mars/Olympus"))
    }

    @Test func defaultConfigDirectoryFollowsDSARI_HOME() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        try home.write("etc/dsari.yaml", "jobs:\n  from-home:\n    command: [/bin/true]\n")
        let result = try info.run(["job", "list", "--format", "tabular"], environment: ["DSARI_HOME": home.path])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("from-home\t"))
    }
}

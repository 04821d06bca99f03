import DsariTestSupport
import Foundation
import Testing

@testable import DsariCore

/// A configuration directory `etc/` in a fresh temporary directory, with
/// `DSARI_HOME` pointing at the temporary directory; removed with the fixture.
private final class Fixture {
    let directory: TemporaryDirectory
    var etc: String { directory.url("etc") }

    init() throws {
        directory = try TemporaryDirectory(prefix: "dsari-config-test")
        try makeDirectory(directory.url("etc"))
    }

    deinit {
        directory.remove()
    }

    /// Writes `etc/NAME` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try directory.write("etc/" + name, text)
    }

    func loader() -> ConfigLoader {
        ConfigLoader(environment: ["DSARI_HOME": directory.path, "HOME": directory.url("home")])
    }

    func load() throws -> Config {
        try loader().load(configDirectory: etc)
    }

    /// The `ConfigError` loading throws (recording an issue if there is none).
    func loadError(using loader: ConfigLoader? = nil) -> ConfigError? {
        do {
            _ = try (loader ?? self.loader()).load(configDirectory: etc)
            Issue.record("the configuration was accepted")
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("expected a ConfigError, got \(error)")
        }
        return nil
    }
}

@Suite("ConfigLoader: files, merging, options, errors and warnings")
struct ConfigLoaderTests {
    // MARK: Files and merging

    @Test func filesMergeInDsariOrder() throws {
        let fixture = try Fixture()
        // Each file sets the variables from its position on; the last writer wins.
        try fixture.write("dsari.yaml", "environment: {A: yaml, B: yaml, C: yaml, D: yaml, E: yaml, F: yaml, G: yaml}\n")
        try fixture.write(
            "dsari.json", #"{"environment": {"B": "json", "C": "json", "D": "json", "E": "json", "F": "json", "G": "json"}}"#)
        // Byte order, not numeric or case-insensitive order: 10 < 9 < B < a.
        try fixture.write("config.d/9.yaml", "environment: {D: d-9-yaml, E: d-9-yaml, F: d-9-yaml, G: d-9-yaml}\n")
        try fixture.write("config.d/10.yaml", "environment: {C: d-10-yaml, D: d-10-yaml, E: d-10-yaml, F: d-10-yaml, G: d-10-yaml}\n")
        try fixture.write("config.d/B.json", #"{"environment": {"F": "d-B-json", "G": "d-B-json"}}"#)
        try fixture.write("config.d/a.json", #"{"environment": {"G": "d-a-json"}}"#)
        try fixture.write("config.d/A.json", #"{"environment": {"E": "d-A-json", "F": "d-A-json", "G": "d-A-json"}}"#)
        let config = try fixture.load()
        #expect(
            config.environment == [
                "A": "yaml", "B": "json", "C": "d-10-yaml", "D": "d-9-yaml", "E": "d-A-json", "F": "d-B-json",
                "G": "d-a-json",
            ])
        #expect(
            config.files
                == [
                    "dsari.yaml", "dsari.json", "config.d/10.yaml", "config.d/9.yaml", "config.d/A.json",
                    "config.d/B.json", "config.d/a.json",
                ].map { fixture.etc + "/" + $0 })
        #expect(config.warnings.isEmpty)
    }

    @Test func mergeIsRecursiveForMappingsAndReplacesLists() throws {
        let fixture = try Fixture()
        try fixture.write(
            "dsari.yaml",
            """
            jobs:
              a:
                command: [first]
                environment: {A: 1, B: 2}
                concurrency_groups: [g1, g2]
                max_execution: 10
            """)
        try fixture.write(
            "config.d/more.yaml",
            """
            jobs:
              a:
                environment: {B: 3}
                concurrency_groups: [g3]
                max_execution: null
              b:
                command: second
            """)
        let config = try fixture.load()
        let a = try #require(config.jobs["a"])
        #expect(a.command == ["first"])
        #expect(a.environment == ["A": "1", "B": "3"])
        #expect(a.concurrencyGroups == ["g3"])
        #expect(a.maxExecution == nil)
        #expect(config.jobs["b"]?.command == ["second"])
        #expect(Set(config.concurrencyGroups.keys) == ["g3"])
    }

    @Test func configDOptionChoosesTheDropInDirectoryRelativeToTheConfigDirectory() throws {
        let fixture = try Fixture()
        try fixture.write("dsari.yaml", "config_d: extra\n")
        try fixture.write("extra/job.yaml", "jobs: {from-extra: {command: [x]}}\n")
        try fixture.write("config.d/job.yaml", "jobs: {from-default: {command: [x]}}\n")
        let config = try fixture.load()
        #expect(config.configD == fixture.etc + "/extra")
        #expect(Set(config.jobs.keys) == ["from-extra"])

        let absolute = try makeDirectory(fixture.directory.url("elsewhere"))
        try fixture.directory.write("elsewhere/job.json", #"{"jobs": {"from-absolute": {"command": ["x"]}}}"#)
        try fixture.write("dsari.yaml", "config_d: \(absolute)\n")
        #expect(Set(try fixture.load().jobs.keys) == ["from-absolute"])
    }

    @Test func configDNullOrEmptyTurnsDropInsOff() throws {
        let fixture = try Fixture()
        try fixture.write("config.d/broken.yaml", "jobs: [not, a, mapping]\n")
        for setting in ["config_d: null", "config_d: ''"] {
            try fixture.write("dsari.yaml", setting + "\n")
            let config = try fixture.load()
            #expect(config.configD == nil)
            #expect(config.files == [fixture.etc + "/dsari.yaml"])
        }
    }

    @Test func configDWarnings() throws {
        let fixture = try Fixture()
        try fixture.write("dsari.yaml", "config_d: missing\n")
        let missing = try fixture.load()
        #expect(
            missing.warnings.map(\.description) == [
                "\(fixture.etc)/dsari.yaml:1: the config_d directory \"\(fixture.etc)/missing\" does not exist."
            ])

        try fixture.write("dsari.yaml", "jobs: {}\n")
        try fixture.write("config.d/late.yaml", "\n\nconfig_d: /somewhere/else\n")
        let late = try fixture.load()
        #expect(late.configD == fixture.etc + "/config.d")
        #expect(
            late.warnings.map(\.description) == [
                "\(fixture.etc)/config.d/late.yaml:3: config_d is read from dsari.yaml and dsari.json only; this setting has no effect."
            ])
    }

    @Test func dropInEntriesThatAreNotRegularFilesAreSkippedWithAWarning() throws {
        let fixture = try Fixture()
        try fixture.write("config.d/good.yaml", "jobs: {good: {command: [x]}}\n")
        try makeDirectory(fixture.directory.url("etc/config.d/directory.yaml"))
        try FileManager.default.createSymbolicLink(
            atPath: fixture.etc + "/config.d/dangling.json", withDestinationPath: fixture.etc + "/nowhere")
        // Reading a FIFO would block forever: it must not even be opened.
        #expect(mkfifo(fixture.etc + "/config.d/fifo.yaml", 0o644) == 0)
        // Files that do not end in .yaml or .json are not configuration.
        try fixture.write("config.d/notes.txt", "not: [valid")
        try fixture.write("config.d/other.yml", "jobs: {yml: {command: [x]}}\n")
        try fixture.write("config.d/good.yaml~", "not: [valid")
        // A symbolic link to a regular file counts as one (os.path.isfile).
        try fixture.write("linked-target.yaml", "jobs: {linked: {command: [x]}}\n")
        try FileManager.default.createSymbolicLink(
            atPath: fixture.etc + "/config.d/linked.yaml", withDestinationPath: fixture.etc + "/linked-target.yaml")
        let config = try fixture.load()
        #expect(Set(config.jobs.keys) == ["good", "linked"])
        #expect(
            Set(config.warnings.map(\.description)) == [
                "\(fixture.etc)/config.d/directory.yaml: skipped: not a regular file.",
                "\(fixture.etc)/config.d/fifo.yaml: skipped: not a regular file.",
                "\(fixture.etc)/config.d/dangling.json: skipped: not a regular file.",
            ])
    }

    @Test(.enabled(if: geteuid() != 0, "root can read any file"))
    func unreadableDropInFilesAreSkippedWithAWarning() throws {
        let fixture = try Fixture()
        let secret = try fixture.write("config.d/secret.yaml", "jobs: {hidden: {command: [x]}}\n")
        try fixture.write("config.d/visible.yaml", "jobs: {visible: {command: [x]}}\n")
        #expect(chmod(secret, 0) == 0)
        let config = try fixture.load()
        #expect(Set(config.jobs.keys) == ["visible"])
        #expect(config.warnings.map(\.description) == ["\(secret): skipped: not readable."])
    }

    @Test func aMainFileThatIsNotARegularFileIsAnError() throws {
        let fixture = try Fixture()
        let path = try makeDirectory(fixture.directory.url("etc/dsari.yaml"))
        #expect(fixture.loadError()?.description == "\(path): cannot be read: it is not a regular file.")
    }

    @Test func missingOrEmptyConfigurationsLoadEmptyWithAWarning() throws {
        let fixture = try Fixture()
        let empty = try fixture.load()
        #expect(empty.jobs.isEmpty && empty.files.isEmpty)
        #expect(
            empty.warnings.map(\.description) == [
                "\(fixture.etc): no configuration file found (dsari.yaml, dsari.json, config.d/*.yaml, config.d/*.json); the configuration is empty."
            ])

        let missingDirectory = fixture.directory.url("nope")
        let missing = try fixture.loader().load(configDirectory: missingDirectory)
        #expect(missing.jobs.isEmpty)
        #expect(
            missing.warnings.map(\.description) == [
                "\(missingDirectory): the configuration directory does not exist; the configuration is empty."
            ])

        let file = try fixture.write("plain-file", "")
        #expect(throws: ConfigError.self) { try fixture.loader().load(configDirectory: file) }

        let comments = try fixture.write("dsari.yaml", "# everything commented out\n")
        let commented = try fixture.load()
        #expect(commented.files == [comments])
        #expect(commented.warnings.map(\.description) == ["\(comments): the file is empty."])
    }

    @Test func rawIsTheMergedTreeBeforeJobGroupsAreExpanded() throws {
        let fixture = try Fixture()
        try fixture.write("dsari.yaml", "job_groups: {g: {job_names: [a, b], command: [x]}}\nunknown_option: 1\n")
        try fixture.write("dsari.json", #"{"jobs": {"c": {"command": ["y"]}}}"#)
        let config = try fixture.load()
        let expected: ConfigValue = [
            "job_groups": ["g": ["job_names": ["a", "b"], "command": ["x"]]],
            "unknown_option": 1,
            "jobs": ["c": ["command": ["y"]]],
        ]
        #expect(config.raw.value == expected)
        #expect(Set(config.jobs.keys) == ["a", "b", "c"])
    }

    // MARK: Defaults and values

    @Test func everyDefault() throws {
        let fixture = try Fixture()
        try fixture.write("dsari.yaml", "jobs:\n  j:\n    command: [/bin/true]\n")
        let config = try fixture.load()
        #expect(config.configDirectory == fixture.etc)
        #expect(config.configD == fixture.etc + "/config.d")
        #expect(config.dataDir == fixture.directory.path + "/var")
        #expect(config.database == DatabaseConfig(type: "sqlite3", file: nil))
        #expect(config.databaseFile == fixture.directory.path + "/var/dsari.sqlite3")
        #expect(config.environment.isEmpty)
        #expect(config.shutdownKillRuns == false)
        #expect(config.shutdownKillGrace == nil)
        #expect(config.templateDir == nil)
        #expect(config.reportHTMLGz == false)
        #expect(config.reportRunOutputStart == 0)
        #expect(config.reportRunOutputEnd == 0)
        #expect(config.concurrencyGroups.isEmpty)
        #expect(config.warnings.isEmpty)
        #expect(
            config.jobs == [
                "j": Job(
                    name: "j", command: ["/bin/true"], commandAppendRun: false, schedule: nil, scheduleTimezone: nil,
                    environment: [:], maxExecution: nil, maxExecutionGrace: 60, concurrencyGroups: [],
                    renderReports: true, jenkinsEnvironment: false, jobGroup: nil, concurrentRuns: false)
            ])
    }

    @Test func everyOptionSet() throws {
        let fixture = try Fixture()
        try fixture.write(
            "dsari.yaml",
            """
            data_dir: data
            database: {type: sqlite3, file: db/runs.sqlite3}
            environment: {GLOBAL: g}
            shutdown_kill_runs: true
            shutdown_kill_grace: 2.5
            template_dir: /srv/templates
            report_html_gz: true
            report_run_output_start: 100
            report_run_output_end: 200
            concurrency_groups:
              db: {max: 3}
              quiet:
            jobs:
              j:
                command: "backup --to '/mnt/a b'"
                command_append_run: true
                schedule: H/5 * * * *
                schedule_timezone: America/Los_Angeles
                environment: {A: x}
                max_execution: 30
                max_execution_grace: 0
                concurrency_groups: [db, cache, db]
                render_reports: false
                jenkins_environment: true
                job_group: manual
                concurrent_runs: true
                nagios_check: true
                max_check_attempts: 3
                retry_interval: 30
                out_of_range_exit: unknown
                low_flap_threshold: 10
                high_flap_threshold: 30.5
            """)
        let config = try fixture.load()
        #expect(config.dataDir == fixture.etc + "/data")
        #expect(config.database == DatabaseConfig(type: "sqlite3", file: fixture.etc + "/db/runs.sqlite3"))
        #expect(config.databaseFile == fixture.etc + "/db/runs.sqlite3")
        #expect(config.environment == ["GLOBAL": "g"])
        #expect(config.shutdownKillRuns == true)
        #expect(config.shutdownKillGrace == 2.5)
        #expect(config.templateDir == "/srv/templates")
        #expect(config.reportHTMLGz == true)
        #expect(config.reportRunOutputStart == 100)
        #expect(config.reportRunOutputEnd == 200)
        #expect(
            config.concurrencyGroups == [
                "db": ConcurrencyGroup(name: "db", max: 3),
                "quiet": ConcurrencyGroup(name: "quiet", max: 1),
                "cache": ConcurrencyGroup(name: "cache", max: 1),
            ])
        var loaded = try #require(config.jobs["j"])
        #expect(loaded.parsedSchedule?.timeZone.identifier == "America/Los_Angeles")
        loaded.parsedSchedule = nil  // compared field by field below
        #expect(
            loaded
                == Job(
                    name: "j", command: ["backup", "--to", "/mnt/a b"], commandAppendRun: true,
                    schedule: "H/5 * * * *", scheduleTimezone: "America/Los_Angeles", environment: ["A": "x"],
                    maxExecution: 30, maxExecutionGrace: 0, concurrencyGroups: ["db", "cache"], renderReports: false,
                    jenkinsEnvironment: true, jobGroup: "manual", concurrentRuns: true, nagiosCheck: true,
                    check: CheckOptions(
                        maxCheckAttempts: 3, retryInterval: 30, outOfRangeExit: .unknown, lowFlapThreshold: 10,
                        highFlapThreshold: 30.5)))
        #expect(config.warnings.isEmpty)
    }

    @Test(
        "NRPE listener settings that cannot work are refused at load, naming the place",
        arguments: [
            ("nrpe_ssl_cert_file: /etc/ssl/a.pem\n", 1, "\"nrpe_ssl_cert_file\" needs \"nrpe_ssl_privatekey_file\" too"),
            ("nrpe_ssl_privatekey_file: /etc/ssl/a.key\n", 1, "\"nrpe_ssl_privatekey_file\" needs \"nrpe_ssl_cert_file\" too"),
            ("nrpe_allowed_hosts: \"127.0.0.1,,::1\"\n", 1, "entry \"\" is empty"),
            ("nrpe_allowed_hosts: [10.0.0.0/33]\n", 1, "entry \"10.0.0.0/33\" has a prefix length that is not 0…32"),
            ("nrpe_allowed_hosts: [host/24]\n", 1, "entry \"host/24\" is not a network"),
        ] as [(String, Int, String)])
    func badNRPEListenerSettings(text: String, line: Int, reason: String) throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", text)
        let error = try #require(fixture.loadError())
        #expect(error.description.hasPrefix("\(path):\(line): "), "\(error)")
        #expect(error.description.contains(reason), "\(error)")
    }

    @Test func nrpeListenerSettingsAreRead() throws {
        let fixture = try Fixture()
        try fixture.write(
            "dsari.yaml",
            """
            nrpe_listen: "[::]:5666"
            nrpe_allowed_hosts: "192.168.0.0/16, nagios.example, ::1"
            nrpe_no_result: run
            nrpe_ssl_cert_file: /etc/ssl/a.pem
            nrpe_ssl_privatekey_file: /etc/ssl/a.key
            nrpe_connection_timeout: 2.5
            """)
        let listener = try fixture.load().nrpeListener
        #expect(listener.address == ListenAddress(host: "::", port: 5666))
        #expect(listener.allowedHosts == ["192.168.0.0/16", "nagios.example", "::1"])
        #expect(listener.noResult == .run && listener.ssl && listener.connectionTimeout == 2.5)
        #expect(listener.sslCertificateFile == "/etc/ssl/a.pem" && listener.sslPrivateKeyFile == "/etc/ssl/a.key")
    }

    @Test func nrpeCommandWithoutNagiosCheckIsAWarning() throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "jobs:\n  c:\n    command: [x]\n    nrpe_command: check_c\n")
        let config = try fixture.load()
        #expect(config.jobs["c"]?.nrpeCommand == "check_c")
        #expect(
            config.warnings.map(\.description).contains {
                $0.hasPrefix("\(path):4: job \"c\": \"nrpe_command\" needs \"nagios_check: true\"")
            })
        // nrpe_arguments too: without a check result the listener never answers with its runs.
        let second = try fixture.write("dsari.yaml", "jobs:\n  d:\n    command: [x, $ARG1$]\n    nrpe_arguments: query\n")
        #expect(
            try fixture.load().warnings.map(\.description).contains {
                $0.hasPrefix("\(second):4: job \"d\": \"nrpe_arguments\" needs \"nagios_check: true\"")
            })
    }

    @Test func aLowFlapThresholdAboveTheHighOneIsRefused() throws {
        let fixture = try Fixture()
        let path = try fixture.write(
            "dsari.yaml", "jobs:\n  c:\n    command: [x]\n    high_flap_threshold: 10\n    low_flap_threshold: 15\n")
        let error = try #require(fixture.loadError())
        #expect(
            error.description
                == "\(path):5: job \"c\": \"low_flap_threshold\" (15.0) must not be above \"high_flap_threshold\" (10.0).")
    }

    @Test func environmentNumbersBecomeTextAsInPython() throws {
        let fixture = try Fixture()
        try fixture.write(
            "dsari.yaml",
            "environment: {INT: 5, FLOAT: 2.5, WHOLE: 1.0, BIG: 1e16, SMALL: 0.00001, NEG: -0.0, HEX: 0x10, TEXT: x, EMPTY: ''}\n"
        )
        try fixture.write("dsari.json", #"{"jobs": {"j": {"command": ["x"], "environment": {"E": 1E2, "N": -7, "F": 1.50}}}}"#)
        let config = try fixture.load()
        #expect(
            config.environment == [
                "INT": "5", "FLOAT": "2.5", "WHOLE": "1.0", "BIG": "1e+16", "SMALL": "1e-05", "NEG": "-0.0", "HEX": "16",
                "TEXT": "x", "EMPTY": "",
            ])
        #expect(config.jobs["j"]?.environment == ["E": "100.0", "N": "-7", "F": "1.5"])
    }

    @Test(
        "environment values that are not strings or numbers are refused without showing them",
        arguments: [
            ("TOKEN: [hunter2-secret]", "a list"),
            ("TOKEN: {nested: hunter2-secret}", "a mapping"),
            ("TOKEN: true", "a boolean"),
            ("TOKEN: null", "null"),
        ])
    func environmentValueTypes(entry: String, kind: String) throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "jobs:\n  j:\n    command: [x]\n    environment:\n      \(entry)\n")
        let error = fixture.loadError()
        #expect(
            error?.description
                == "\(path):5: job \"j\": environment variable \"TOKEN\" must be a string or a number, not \(kind).")
        #expect(error?.key == "environment")
        #expect(error?.job == "j")
    }

    @Test func environmentThatIsNotAMappingIsRefusedWithoutShowingIt() throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "environment: TOKEN=hunter2-secret\n")
        let error = fixture.loadError()
        #expect(
            error?.description
                == "\(path):1: \"environment\" must be a mapping of variable names to strings or numbers, not a string.")
    }

    @Test func environmentNamesMustBeStrings() throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "environment:\n  1: one\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):2: environment variable name 1 must be a string, not an integer (write it in quotes).")
        try fixture.write("dsari.yaml", "environment:\n  'A=B': x\n")
        #expect(fixture.loadError()?.description.contains("must not be empty nor contain \"=\"") == true)
    }

    // MARK: Jobs, job groups, concurrency groups

    @Test func jobGroupsExpandToOneJobPerName() throws {
        let fixture = try Fixture()
        let path = try fixture.write(
            "dsari.yaml",
            """
            jobs:
              web2: {command: [old]}
              other: {command: [other]}
            job_groups:
              web:
                job_names: [web1, web2]
                command: "deploy --site"
                max_execution: 10
                job_group: ignored
                colour: blue
            """)
        let config = try fixture.load()
        #expect(Set(config.jobs.keys) == ["web1", "web2", "other"])
        for name in ["web1", "web2"] {
            #expect(
                config.jobs[name]
                    == Job(name: name, command: ["deploy", "--site"], maxExecution: 10, jobGroup: "web"))
        }
        #expect(config.jobs["other"]?.jobGroup == nil)
        // The group's unknown key is reported once, for the group.
        #expect(
            config.warnings.map(\.description) == [
                "\(path):10: job group \"web\": unknown option \"colour\" is ignored.",
                "\(path):6: job group \"web\": job \"web2\" replaces the job of the same name defined in \"jobs\".",
            ])
    }

    @Test func errorsInAGroupsJobNameTheJobAndItsGroup() throws {
        let fixture = try Fixture()
        let path = try fixture.write(
            "dsari.yaml", "job_groups:\n  web:\n    job_names: [w1]\n    command: [x]\n    max_execution: ten\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):5: job \"w1\" (from job group \"web\"): \"max_execution\" must be a number of seconds, not the string \"ten\".")
    }

    @Test func jobGroupErrors() throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "\njob_groups:\n  web:\n    command: [x]\n")
        let missing = fixture.loadError()
        #expect(missing?.description == "\(path):3: job group \"web\": \"job_names\" is required (a list of job names).")
        #expect(missing?.key == "job_names")

        try fixture.write("dsari.yaml", "job_groups:\n  web:\n    command: [x]\n    job_names: web1\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):4: job group \"web\": \"job_names\" must be a list of job names, not the string \"web1\".")

        try fixture.write("dsari.yaml", "job_groups:\n  web:\n    command: [x]\n    job_names:\n      - ok\n      - [nested]\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):6: job group \"web\": \"job_names\" must be a list of job names, but it holds a list.")

        try fixture.write("dsari.yaml", "job_groups:\n  web:\n    job_names: [w1]\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):2: job \"w1\" (from job group \"web\"): \"command\" is required (a list of strings, or a command line as one string)."
        )

        try fixture.write("dsari.yaml", "job_groups:\n  web: [w1]\n")
        #expect(fixture.loadError()?.description.contains("job group \"web\": must be a mapping of job options") == true)
    }

    @Test func concurrencyGroupsDefinedAndImplicit() throws {
        let fixture = try Fixture()
        try fixture.write(
            "dsari.yaml",
            """
            concurrency_groups:
              db: {max: 3}
              unused: {max: 2}
            jobs:
              a: {command: [x], concurrency_groups: [db, cache]}
              b: {command: [x], concurrency_groups: [cache, cache, other]}
            """)
        let config = try fixture.load()
        #expect(
            config.concurrencyGroups == [
                "db": ConcurrencyGroup(name: "db", max: 3),
                "unused": ConcurrencyGroup(name: "unused", max: 2),
                "cache": ConcurrencyGroup(name: "cache", max: 1),
                "other": ConcurrencyGroup(name: "other", max: 1),
            ])
        #expect(config.jobs["b"]?.concurrencyGroups == ["cache", "other"])
    }

    @Test(
        "concurrency group max must be a whole number of at least 1",
        arguments: [("true", "the boolean true"), ("0", "the number 0"), ("1.5", "the number 1.5"), ("'2'", "the string \"2\"")])
    func concurrencyGroupMax(value: String, shown: String) throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "concurrency_groups:\n  db:\n    max: \(value)\n")
        let error = fixture.loadError()
        #expect(
            error?.description
                == "\(path):3: concurrency group \"db\": \"max\" must be a whole number of at least 1, not \(shown).")
        #expect(error?.key == "max")
        #expect(error?.expected == "a whole number of at least 1")
    }

    @Test func commandIsRequiredAndMustNotBeEmpty() throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "jobs:\n  j:\n    schedule: null\n")
        let missing = fixture.loadError()
        #expect(
            missing?.description
                == "\(path):2: job \"j\": \"command\" is required (a list of strings, or a command line as one string).")
        #expect(missing?.key == "command")

        for (command, problem) in [
            ("[]", "\"command\" must not be empty"),
            ("''", "\"command\" must not be empty"),
            ("'  \t '", "\"command\" must not be empty"),
            ("['']", "\"command\" must start with a program name, not an empty string"),
        ] {
            try fixture.write("dsari.yaml", "jobs:\n  j:\n    command: \(command)\n")
            #expect(fixture.loadError()?.description == "\(path):3: job \"j\": \(problem).")
        }

        try fixture.write("dsari.yaml", "jobs:\n  j:\n    command:\n      - echo\n      - 5\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):5: job \"j\": \"command\" must be a list of strings, but element 2 is the number 5 (write it in quotes).")

        // YAML reads an unquoted `true` as a boolean, not as the program.
        try fixture.write("dsari.yaml", "jobs:\n  j:\n    command: [true]\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):3: job \"j\": \"command\" must be a list of strings, but element 1 is the boolean true (write it in quotes).")
        try fixture.write("dsari.yaml", "jobs:\n  j:\n    command: [ls, [x]]\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):3: job \"j\": \"command\" must be a list of strings, but element 2 is a list.")

        try fixture.write("dsari.yaml", "jobs:\n  j: null\n")
        #expect(fixture.loadError()?.key == "command")

        try fixture.write("dsari.yaml", "jobs:\n  j: echo\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):2: job \"j\": must be a mapping of job options (such as \"command\"), not the string \"echo\".")
    }

    @Test func commandStringsAreSplitLikeShlexAndBadQuotingIsAnError() throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "jobs:\n  j:\n    command: >-\n      sh -c 'echo \"$HOME\"' x\\ y\n")
        #expect(try fixture.load().jobs["j"]?.command == ["sh", "-c", "echo \"$HOME\"", "x y"])

        try fixture.write("dsari.yaml", "jobs:\n  j:\n    command: \"echo 'unterminated\"\n")
        let error = fixture.loadError()
        #expect(
            error?.description
                == "\(path):3: job \"j\": \"command\" cannot be split into words like a shell command line: the single quote (') at character 6 is never closed."
        )
        #expect(error?.key == "command")
    }

    @Test func scheduleTimezoneMustBeAKnownZone() throws {
        let fixture = try Fixture()
        let path = try fixture.write(
            "dsari.yaml", "jobs:\n  j:\n    command: [x]\n    schedule_timezone: Mars/Olympus_Mons\n")
        let error = fixture.loadError()
        #expect(
            error?.description
                == "\(path):4: job \"j\": \"schedule_timezone\" \"Mars/Olympus_Mons\" is not a known time zone (expected an IANA name such as \"Europe/Berlin\")."
        )
        #expect(error?.key == "schedule_timezone")

        try fixture.write("dsari.yaml", "jobs:\n  j:\n    command: [x]\n    schedule_timezone: Europe/Berlin\n")
        #expect(try fixture.load().jobs["j"]?.scheduleTimezone == "Europe/Berlin")
    }

    @Test(
        "durations must be finite and in range",
        arguments: [
            ("max_execution", "-5", "must be more than 0 seconds, not the number -5"),
            ("max_execution", "0", "must be more than 0 seconds, not the number 0"),
            ("max_execution", ".inf", "must be a finite number of seconds, not the number inf"),
            ("max_execution_grace", "-0.5", "must be 0 or more seconds, not the number -0.5"),
        ])
    func durationRanges(key: String, value: String, problem: String) throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "jobs:\n  j:\n    command: [x]\n    \(key): \(value)\n")
        let error = fixture.loadError()
        #expect(error?.description == "\(path):4: job \"j\": \"\(key)\" \(problem).")
        #expect(error?.key == key)
    }

    @Test func shutdownKillGraceMayBeZeroButNotNegative() throws {
        let fixture = try Fixture()
        try fixture.write("dsari.yaml", "shutdown_kill_grace: 0\n")
        #expect(try fixture.load().shutdownKillGrace == 0)
        let path = try fixture.write("dsari.yaml", "shutdown_kill_grace: -1\n")
        #expect(fixture.loadError()?.description == "\(path):1: \"shutdown_kill_grace\" must be 0 or more seconds, not the number -1.")
    }

    // MARK: Type errors, option by option

    @Test(
        "job option type errors name file, line, job, key and what was expected",
        arguments: [
            ("command", "5", "a list of strings or a command line (a string)", "the number 5"),
            ("command_append_run", "'yes'", "true or false", "the string \"yes\""),
            ("schedule", "5", "a schedule (a string) or null", "the number 5"),
            ("schedule_timezone", "[UTC]", "an IANA time zone name (a string) or null", "a list"),
            ("environment", "[A]", "a mapping of variable names to strings or numbers", "a list"),
            ("max_execution", "ten", "a number of seconds", "the string \"ten\""),
            ("max_execution", "true", "a number of seconds", "the boolean true"),
            ("max_execution_grace", "'60'", "a number of seconds", "the string \"60\""),
            ("concurrency_groups", "db", "a list of concurrency group names", "the string \"db\""),
            ("render_reports", "1", "true or false", "the number 1"),
            ("jenkins_environment", "'no'", "true or false", "the string \"no\""),
            ("job_group", "5", "a job group name (a string) or null", "the number 5"),
            ("concurrent_runs", "null", "true or false", "null"),
            ("nagios_check", "'true'", "true or false", "the string \"true\""),
            ("max_check_attempts", "0", "a number of attempts (a whole number, 1 or more)", "the number 0"),
            ("max_check_attempts", "2.5", "a number of attempts (a whole number, 1 or more)", "the number 2.5"),
            ("retry_interval", "'30'", "a number of seconds", "the string \"30\""),
            ("out_of_range_exit", "warning", "\"critical\" (Nagios Core) or \"unknown\" (NRPE)", "the string \"warning\""),
            ("flap_detection", "1", "true or false", "the number 1"),
            ("low_flap_threshold", "101", "a percentage from 0 to 100", "the number 101"),
            ("high_flap_threshold", "'20'", "a percentage from 0 to 100", "the string \"20\""),
            ("nrpe_command", "5", "an NRPE command name (a string) or null", "the number 5"),
            ("nrpe_arguments", "queries", nrpeArgumentsExpected, "the string \"queries\""),
            ("nrpe_arguments", "[a, 5]", nrpeArgumentsExpected, "the number 5"),
            ("nrpe_arguments", "[" + (1...17).map { "'\($0)'" }.joined(separator: ", ") + "]", nrpeArgumentsExpected, "a list"),
            ("kill_leftover_processes", "'yes'", "true or false", "the string \"yes\""),
        ])
    func jobOptionTypeErrors(key: String, value: String, expected: String, shown: String) throws {
        let fixture = try Fixture()
        let commandLine = key == "command" ? "" : "    command: [x]\n"
        let path = try fixture.write("dsari.yaml", "jobs:\n  build:\n    \(key): \(value)\n" + commandLine)
        let error = try #require(fixture.loadError())
        #expect(error.description == "\(path):3: job \"build\": \"\(key)\" must be \(expected), not \(shown).")
        #expect(error.file == path)
        #expect(error.line == 3)
        #expect(error.job == "build")
        #expect(error.key == key)
        #expect(error.expected == expected)
    }

    @Test(
        "top-level option type errors name file, line, key and what was expected",
        arguments: [
            ("data_dir", "5", "a path (a string)", "the number 5"),
            (
                "nrpe_listen", "5", "an address for the NRPE listener, \"HOST:PORT\" (e.g. \"0.0.0.0:5666\", \"[::]:5666\"), or null",
                "the number 5"
            ),
            (
                "nrpe_allowed_hosts", "5", "a list of addresses, CIDR networks and host names, or one string of them separated by commas",
                "the number 5"
            ),
            (
                "nrpe_no_result", "later", "\"unknown\" (answer UNKNOWN) or \"run\" (run the check and answer its result)",
                "the string \"later\""
            ),
            ("nrpe_ssl", "'yes'", "true or false", "the string \"yes\""),
            ("nrpe_ssl_cert_file", "[a]", "a path (a string)", "a list"),
            ("database", "sqlite3", "a mapping with \"type\" and \"file\"", "the string \"sqlite3\""),
            ("environment", "[A]", "a mapping of variable names to strings or numbers", "a list"),
            ("shutdown_kill_runs", "'true'", "true or false", "the string \"true\""),
            ("shutdown_kill_grace", "'5'", "a number of seconds", "the string \"5\""),
            ("template_dir", "true", "a path (a string)", "the boolean true"),
            ("report_html_gz", "0", "true or false", "the number 0"),
            ("report_run_output_start", "1.5", "a whole number, 0 or more (0 means no limit)", "the number 1.5"),
            ("report_run_output_end", "-1", "a whole number, 0 or more (0 means no limit)", "the number -1"),
            ("report_run_output_end", "yes", "a whole number, 0 or more (0 means no limit)", "the boolean true"),
            ("jobs", "[a]", "a mapping of job names to their options", "a list"),
            ("job_groups", "x", "a mapping of job group names to their options", "the string \"x\""),
            ("concurrency_groups", "5", "a mapping of concurrency group names to their options", "the number 5"),
            ("config_d", "5", "a directory path (a string) or null", "the number 5"),
        ])
    func topLevelTypeErrors(key: String, value: String, expected: String, shown: String) throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "\n\(key): \(value)\n")
        let error = try #require(fixture.loadError())
        #expect(error.description == "\(path):2: \"\(key)\" must be \(expected), not \(shown).")
        #expect(error.line == 2)
        #expect(error.key == key)
        #expect(error.subject == nil)
        #expect(error.expected == expected)
    }

    /// Jobs from an nrpe.cfg (they have `nrpe_command`) read an exit code
    /// outside 0–3 as NRPE does, unless they or `nrpe_out_of_range_exit` say otherwise.
    @Test func nrpeJobsDefaultToUnknownForOutOfRangeExits() throws {
        let fixture = try Fixture()
        try fixture.write(
            "dsari.yaml",
            """
            jobs:
              imported: {command: [x], nagios_check: true, nrpe_command: check_x}
              mine: {command: [x], nagios_check: true}
              pinned: {command: [x], nagios_check: true, nrpe_command: check_y, out_of_range_exit: critical}
            """)
        var config = try fixture.load()
        #expect(config.jobs["imported"]?.check.outOfRangeExit == .unknown)
        #expect(config.jobs["mine"]?.check.outOfRangeExit == .critical)
        #expect(config.jobs["pinned"]?.check.outOfRangeExit == .critical)
        try fixture.write("config.d/nrpe.yaml", "nrpe_out_of_range_exit: critical\n")
        config = try fixture.load()
        #expect(config.jobs["imported"]?.check.outOfRangeExit == .critical)
        let path = try fixture.write("config.d/nrpe.yaml", "nrpe_out_of_range_exit: warning\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):1: \"nrpe_out_of_range_exit\" must be \"unknown\" (NRPE, the default) or \"critical\" (Nagios Core), not the string \"warning\"."
        )
    }

    /// A listen address must have an IP address as its host: the listeners
    /// bind addresses, so a name passed `config check` and failed at the
    /// daemon's start before.
    @Test func listenAddressesNeedAnIPAddress() throws {
        let fixture = try Fixture()
        for (key, value) in [
            ("http_listen", "nosuchhost.invalid:80"), ("nrpe_listen", "localhost:5666"), ("http_listen", "[not-v6]:80"),
            ("nrpe_listen", "300.1.1.1:5666"),
        ] {
            let path = try fixture.write("dsari.yaml", "\(key): \"\(value)\"\n")
            let error = fixture.loadError()
            #expect(
                error?.description.hasPrefix("\(path):1: \"\(key)\" \"\(value)\" is not HOST:PORT with an IP address as HOST") == true,
                "\(String(describing: error))")
            #expect(error?.key == key)
        }
        try fixture.write(
            "dsari.yaml",
            "http_listen: \"[::1]:50575\"\nnrpe_listen: \"0.0.0.0:5666\"\nnrpe_allowed_hosts: [10.0.0.0/8, \"fd00::/8\", localhost]\n")
        let config = try fixture.load()
        #expect(config.httpListen?.address == IPAddress("::1") && config.httpListen?.description == "[::1]:50575")
        #expect(config.nrpeListener.address?.address == IPAddress("0.0.0.0"))
        let path = try fixture.write("dsari.yaml", "nrpe_allowed_hosts: [10.0.0.0/33]\n")
        #expect(
            fixture.loadError()?.description.hasPrefix(
                "\(path):1: \"nrpe_allowed_hosts\" entry \"10.0.0.0/33\" has a prefix length that is not 0…32") == true)
    }

    @Test func networksMatchTheirAddresses() throws {
        let network = try #require(IPNetwork("192.168.4.0/22"))
        #expect(network.contains(IPAddress("192.168.7.255")!) && !network.contains(IPAddress("192.168.8.0")!))
        #expect(try #require(IPNetwork("fd00::/8")).contains(IPAddress("fd12::1")!))
        #expect(
            !network.contains(IPAddress("::ffff:192.168.4.1")!) && IPAddress("::ffff:192.168.4.1")?.mappedIPv4 == IPAddress("192.168.4.1"))
        #expect(IPNetwork("10.0.0.0/x") == nil && IPNetwork("host/8") == nil && IPAddress("example.org") == nil)
        #expect(IPAddress("[::1]")?.description == "::1" && IPAddress("127.0.0.1")?.bytes == [127, 0, 0, 1])
    }

    @Test func databaseOptionErrors() throws {
        let fixture = try Fixture()
        // dsari 2.0's MongoDB backend is refused, naming what is supported.
        for type in ["mongodb", "oracle"] {
            let path = try fixture.write("dsari.yaml", "database:\n  type: \(type)\n  uri: x\n")
            let refused = fixture.loadError()
            #expect(refused?.description == "\(path):2: database type \"\(type)\" is not supported; supported: sqlite3, postgresql, mysql.")
            #expect(refused?.key == "type")
        }
        // PostgreSQL needs a dsn; a dsn that is not a string is not shown (it may hold a password).
        var path = try fixture.write("dsari.yaml", "database:\n  type: postgresql\n")
        #expect(fixture.loadError()?.description.hasPrefix("\(path):2: database type \"postgresql\" needs \"dsn\"") == true)
        path = try fixture.write("dsari.yaml", "database:\n  type: postgresql\n  dsn: {password: hunter2}\n")
        let hidden = fixture.loadError()?.description ?? ""
        #expect(
            hidden.contains("\"database.dsn\" must be a libpq connection string or URI (a string)") && !hidden.contains("hunter2"),
            "\(hidden)")
        path = try fixture.write("dsari.yaml", "database:\n  type: postgresql\n  dsn: x\n  connect_timeout: -1\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):4: \"database.connect_timeout\" must be seconds (a number, 0 or more), not the number -1.")
        try fixture.write(
            "dsari.yaml",
            "host_name: web-01.example.net\ndatabase:\n  type: postgresql\n  dsn: 'host=db1 password=s3cret dbname=dsari'\n  connect_timeout: 5\n"
        )
        let config = try fixture.load()
        #expect(config.database == DatabaseConfig(type: "postgresql", dsn: "host=db1 password=s3cret dbname=dsari", connectTimeout: 5))
        #expect(config.hostName == "web-01.example.net")
        path = try fixture.write("dsari.yaml", "host_name: 'two words'\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):1: \"host_name\" must be a host name (a non-empty string without spaces), not the string \"two words\".")

        // MySQL: MySQLdb.connect's keys (passwd/password, db/database), an option file, TLS.
        try fixture.write(
            "dsari.yaml",
            """
            database:
              type: mysql
              connection: {host: db1, port: 3307, user: dsari, passwd: s3cret, db: dsari, read_default_file: ~/.my.cnf,
                connect_timeout: 4, charset: utf8mb4, ssl: {ca: /etc/ssl/ca.pem, cert: c.pem, key: k.pem}}
              connect_timeout: 90
            """)
        let mysql = try fixture.load().database
        #expect(mysql.type == "mysql" && mysql.connectTimeout == 90)
        #expect(
            mysql.mysql
                == MySQLConnectionOptions(
                    host: "db1", port: 3307, user: "dsari", password: "s3cret", database: "dsari", readDefaultFile: "~/.my.cnf",
                    connectTimeout: 4,
                    tls: .init(ca: "/etc/ssl/ca.pem", cert: fixture.directory.url("etc/c.pem"), key: fixture.directory.url("etc/k.pem"))))
        try fixture.write("dsari.yaml", "database:\n  type: mysql\n  connection: {password: x, database: y, unix_socket: /run/m.sock}\n")
        #expect(try fixture.load().database.mysql == MySQLConnectionOptions(password: "x", database: "y", unixSocket: "/run/m.sock"))
        for (connection, message) in [
            ("{port: '3306'}", "\"database.connection.port\" must be a port number (1 to 65535), not the string \"3306\"."),
            ("{port: 70000}", "\"database.connection.port\" must be a port number (1 to 65535), not the number 70000."),
            (
                "{charset: latin1}",
                "\"database.connection.charset\" must be \"utf8mb4\" (dsari-swift always uses it), not the string \"latin1\"."
            ),
            ("{ssl: yes}", "\"database.connection.ssl\" must be a mapping with ca, cert, key, capath, cipher, not the boolean true."),
            ("{passwd: [hunter2]}", "\"database.connection.passwd\" must be a string, not a list."),
            (
                "hunter2",
                "\"database.connection\" must be a mapping of MySQLdb.connect's arguments (host, port, user, passwd, db, …), not a string."
            ),
        ] {
            path = try fixture.write("dsari.yaml", "database:\n  type: mysql\n  connection: \(connection)\n")
            let error = fixture.loadError()?.description ?? ""
            #expect(error == "\(path):3: \(message)", "\(error)")
            #expect(!error.contains("hunter2"))
        }
        path = try fixture.write("dsari.yaml", "database:\n  type: mysql\n  connection: {hostt: db1}\n")
        let warnings = try fixture.load().warnings.map(\.description)
        #expect(
            warnings == [
                "\(path):3: unknown option \"database.connection.hostt\" is ignored (did you mean \"database.connection.host\"?)."
            ], "\(warnings)")

        path = try fixture.write("dsari.yaml", "database:\n  type: 5\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):2: \"database.type\" must be a database type (a string), not the number 5.")
        try fixture.write("dsari.yaml", "database:\n  file: [a]\n")
        #expect(fixture.loadError()?.description == "\(path):2: \"database.file\" must be a path (a string), not a list.")
    }

    // MARK: Names

    static let badNames: [(String, String)] = [
        ("a/b", "must not contain \"/\""),
        (".", "must not be \".\" or \"..\""),
        ("..", "must not be \".\" or \"..\""),
        (String(repeating: "n", count: 65), "must be at most 64 characters long, not 65"),
        ("bad!", "may only contain letters A-Z and a-z, digits, spaces and - _ + . : @ (not \"!\")"),
        ("", "must not be empty"),
        ("tab\there", "may only contain letters A-Z and a-z, digits, spaces and - _ + . : @ (not U+9)"),
        ("café", "may only contain letters A-Z and a-z, digits, spaces and - _ + . : @ (not U+E9)"),
        // dsari's Python `re.search('^…$')` lets a trailing newline through; we do not.
        ("name\n", "may only contain letters A-Z and a-z, digits, spaces and - _ + . : @ (not U+A)"),
    ]

    @Test("invalid names are refused everywhere a name is given", arguments: badNames)
    func invalidNames(name: String, rule: String) throws {
        let fixture = try Fixture()
        let quoted = ConfigValue.string(name).jsonString()
        let shown = name.quotedForMessage
        let places: [(String, String)] = [
            (#"{"jobs": {\#(quoted): {"command": ["x"]}}}"#, "the job name \(shown) \(rule)"),
            (
                #"{"job_groups": {\#(quoted): {"job_names": ["a"], "command": ["x"]}}}"#,
                "the job group name \(shown) \(rule)"
            ),
            (#"{"concurrency_groups": {\#(quoted): {}}}"#, "the concurrency group name \(shown) \(rule)"),
            (
                #"{"jobs": {"j": {"command": ["x"], "concurrency_groups": [\#(quoted)]}}}"#,
                "job \"j\": the concurrency group name \(shown) in \"concurrency_groups\" \(rule)"
            ),
            (
                #"{"job_groups": {"g": {"command": ["x"], "job_names": [\#(quoted)]}}}"#,
                "job group \"g\": the job name \(shown) in \"job_names\" \(rule)"
            ),
        ]
        for (json, message) in places {
            let path = try fixture.write("dsari.json", json)
            #expect(fixture.loadError()?.description == "\(path):1: \(message).")
        }
    }

    @Test func validNamesAtTheLimits() throws {
        let fixture = try Fixture()
        let longest = String(repeating: "n", count: 64)
        let names = [longest, "a-b_c+d.e:f@g h", "...", ".hidden", "0"]
        let jobs = names.map { "\(ConfigValue.string($0).jsonString()): {\"command\": [\"x\"]}" }
        try fixture.write("dsari.json", "{\"jobs\": {\(jobs.joined(separator: ", "))}}")
        #expect(Set(try fixture.load().jobs.keys) == Set(names))
    }

    @Test func yamlKeysReadAsNumbersAreNotNames() throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "jobs:\n  123:\n    command: [x]\n")
        #expect(
            fixture.loadError()?.description
                == "\(path):2: the job name 123 is read as an integer, not as a name (write it in quotes).")
        try fixture.write("dsari.yaml", "jobs:\n  '123':\n    command: [x]\n")
        #expect(try fixture.load().jobs["123"] != nil)
    }

    // MARK: Syntax errors and the top level

    @Test func badJSONGivesLineAndColumn() throws {
        let fixture = try Fixture()
        let path = try fixture.write("config.d/a.json", "{\n  \"jobs\": {\n    \"a\": {\"command\": [\"x\"], }\n  }\n}\n")
        let error = fixture.loadError()
        #expect(error?.description == "\(path):3:29: invalid JSON: a comma must not follow the last entry of an object.")
        #expect(error?.line == 3)
        #expect(error?.column == 29)
    }

    @Test func badYAMLGivesLineAndColumn() throws {
        let fixture = try Fixture()
        let path = try fixture.write("dsari.yaml", "jobs:\n  a:\n    command: [x]\n\tmax_execution: 5\n")
        let error = fixture.loadError()
        #expect(error?.file == path)
        #expect(error?.line == 4)
        #expect(error?.column != nil)
        #expect(error?.description.hasPrefix("\(path):4:") == true)
        #expect(error?.description.contains("invalid YAML") == true)
    }

    @Test func aTopLevelThatIsNotAMappingIsAnErrorNamingTheFile() throws {
        let fixture = try Fixture()
        let yaml = try fixture.write("dsari.yaml", "- a\n- b\n")
        #expect(
            fixture.loadError()?.description
                == "\(yaml):1: the file must hold a mapping of options (key: value) at the top level, not a list.")
        try FileManager.default.removeItem(atPath: yaml)
        let json = try fixture.write("config.d/x.json", "\"text\"")
        #expect(
            fixture.loadError()?.description
                == "\(json):1: the file must hold a mapping of options (key: value) at the top level, not a string.")
    }

    // MARK: Warnings

    @Test func unknownKeysAreWarningsWithTheirLine() throws {
        let fixture = try Fixture()
        let path = try fixture.write(
            "dsari.yaml",
            """
            jobz: {}
            jobs:
              j:
                comand: [x]
                command: [x]
            job_groups:
              g:
                job_names: [k]
                command: [x]
                maxexecution: 5
            concurrency_groups:
              c:
                maxx: 2
            database:
              host: localhost
            something_else: 1
            """)
        let config = try fixture.load()
        #expect(
            config.warnings.map(\.description) == [
                "\(path):1: unknown option \"jobz\" is ignored (did you mean \"jobs\"?).",
                "\(path):15: unknown option \"database.host\" is ignored.",
                "\(path):16: unknown option \"something_else\" is ignored.",
                "\(path):13: concurrency group \"c\": unknown option \"maxx\" is ignored (did you mean \"max\"?).",
                "\(path):10: job group \"g\": unknown option \"maxexecution\" is ignored (did you mean \"max_execution\"?).",
                "\(path):4: job \"j\": unknown option \"comand\" is ignored (did you mean \"command\"?).",
            ])
        #expect(config.warnings.map(\.key) == ["jobz", "host", "something_else", "maxx", "maxexecution", "comand"])
        #expect(config.warnings.map(\.line) == [1, 15, 16, 13, 10, 4])
        #expect(Set(config.jobs.keys) == ["j", "k"])
    }

    // MARK: Schedules

    @Test func ourTopLevelOptionsAreChecked() throws {
        let fixture = try Fixture()
        try fixture.write("dsari.yaml", "http_listen: '[::1]:8080'\nmetrics_duration_buckets: [0.5, 2, 60]\nmax_output_bytes: 4096\n")
        let config = try fixture.load()
        #expect(config.httpListen == ListenAddress(host: "::1", port: 8080))
        #expect(config.metricsDurationBuckets == [0.5, 2, 60])
        #expect(config.maxOutputBytes == 4096)
        for (text, key) in [
            ("http_listen: localhost\n", "http_listen"), ("http_listen: '1.2.3.4:99999'\n", "http_listen"),
            ("metrics_duration_buckets: [5, 1]\n", "metrics_duration_buckets"),
            ("metrics_duration_buckets: []\n", "metrics_duration_buckets"),
            ("max_output_bytes: 0\n", "max_output_bytes"),
        ] {
            let path = try fixture.write("dsari.yaml", text)
            let error = fixture.loadError(using: fixture.loader())
            #expect(error?.key == key, "\(text)")
            #expect(error?.description.hasPrefix("\(path):1") == true, "\(error?.description ?? "")")
        }
    }

    /// `kill_leftover_processes`: global default (false, as dsari), a job's
    /// own value, a job group's; a typo is warned about with the right key.
    @Test func killLeftoverProcessesIsInheritedAndChecked() throws {
        let fixture = try Fixture()
        try fixture.write(
            "dsari.yaml",
            """
            kill_leftover_processes: true
            jobs:
              inherits: {command: [x]}
              own: {command: [x], kill_leftover_processes: false}
              typo: {command: [x], kill_leftover_procesess: true}
            job_groups:
              grouped: {job_names: [g1], command: [x], kill_leftover_processes: false}

            """)
        let config = try fixture.load()
        #expect(config.killLeftoverProcesses)
        let effective = config.jobs.mapValues { config.killLeftoverProcesses(for: $0) }
        #expect(effective == ["inherits": true, "own": false, "typo": true, "g1": false])
        #expect(config.warnings.map(\.description).contains { $0.contains("did you mean \"kill_leftover_processes\"?") })
        try fixture.write("dsari.yaml", "jobs:\n  plain: {command: [x]}\n")
        let plain = try fixture.load()
        #expect(!plain.killLeftoverProcesses && plain.jobs["plain"].map { plain.killLeftoverProcesses(for: $0) } == false)
    }

    @Test func schedulesAreParsedInTheirZoneAndBadOnesRefused() throws {
        let fixture = try Fixture()
        let path = try fixture.write(
            "dsari.yaml",
            """
            jobs:
              good: {command: [x], schedule: '@daily', schedule_timezone: Europe/Berlin}
              triggered: {command: [x], schedule: null}
              bad:
                command: [x]
                schedule: 61 * * * *
            """)
        let error = fixture.loadError(using: fixture.loader())
        #expect(
            error?.description
                == "\(path):6: job \"bad\": \"schedule\" \"61 * * * *\" is not valid: minute field \"61\": 61 is out of range 0–59.")
        #expect(error?.key == "schedule")

        try fixture.write(
            "dsari.yaml",
            "jobs:\n  good: {command: [x], schedule: '@daily', schedule_timezone: Europe/Berlin}\n  triggered: {command: [x]}\n")
        let config = try fixture.loader().load(configDirectory: fixture.etc)
        let schedule = try #require(config.jobs["good"]?.parsedSchedule)
        #expect(schedule.timeZone.identifier == "Europe/Berlin")
        #expect(schedule.jobName == "good")
        #expect(config.jobs["triggered"]?.parsedSchedule == nil)
    }

    // MARK: Default directories

    @Test func dsariPathsPrecedence() throws {
        let directory = try TemporaryDirectory(prefix: "dsari-paths-test")
        defer { directory.remove() }
        let root = directory.path
        let home = try makeDirectory(directory.url("home"))
        func paths(_ environment: [String: String]) -> DsariPaths {
            DsariPaths.defaults(environment: environment, filesystemRoot: root)
        }
        let user = DsariPaths(configDirectory: home + "/.dsari/etc", dataDirectory: home + "/.dsari/var")

        // Nothing exists: ~/.dsari.
        #expect(paths(["HOME": home]) == user)
        // /etc/dsari exists.
        try makeDirectory(directory.url("etc/dsari"))
        #expect(paths(["HOME": home]) == DsariPaths(configDirectory: root + "/etc/dsari", dataDirectory: root + "/var/lib/dsari"))
        // /usr/local/etc/dsari wins over /etc/dsari.
        try makeDirectory(directory.url("usr/local/etc/dsari"))
        #expect(
            paths(["HOME": home])
                == DsariPaths(configDirectory: root + "/usr/local/etc/dsari", dataDirectory: root + "/usr/local/lib/dsari"))
        // ~/.dsari/etc wins once it holds a configuration file (an empty directory is not enough)...
        try makeDirectory(directory.url("home/.dsari/etc"))
        #expect(paths(["HOME": home]).configDirectory == root + "/usr/local/etc/dsari")
        try directory.write("home/.dsari/etc/dsari.json", "{}")
        #expect(paths(["HOME": home]) == user)
        try FileManager.default.removeItem(atPath: home + "/.dsari/etc/dsari.json")
        try directory.write("home/.dsari/etc/dsari.yaml", "")
        #expect(paths(["HOME": home]) == user)
        // ...and DSARI_HOME wins over everything.
        #expect(
            paths(["HOME": home, "DSARI_HOME": "/opt/dsari"])
                == DsariPaths(configDirectory: "/opt/dsari/etc", dataDirectory: "/opt/dsari/var"))
        #expect(paths(["HOME": home, "DSARI_HOME": "/opt/dsari/"]).configDirectory == "/opt/dsari/etc")
        // An empty DSARI_HOME counts as unset.
        #expect(paths(["HOME": home, "DSARI_HOME": ""]) == user)
        // The public initializer looks at the real system directories; DSARI_HOME still decides first.
        #expect(DsariPaths(environment: ["DSARI_HOME": "/x"]).dataDirectory == "/x/var")
    }

    @Test func theDefaultDataDirectoryComesFromTheEnvironment() throws {
        let fixture = try Fixture()
        let other = try TemporaryDirectory(prefix: "dsari-home-test")
        defer { other.remove() }
        let config = try ConfigLoader(environment: ["DSARI_HOME": other.path]).load(configDirectory: fixture.etc)
        #expect(config.dataDir == other.path + "/var")
    }
}

/// Creates `path` and its parents; returns it.
@discardableResult
private func makeDirectory(_ path: String) throws -> String {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Collects strings from a `@Sendable` closure.
private final class CallRecorder: @unchecked Sendable {
    // Only touched from the loading thread of one test; the lock keeps
    // the checker's promise anyway.
    private let lock = NSLock()
    private var recorded: [String] = []

    func append(_ value: String) {
        lock.lock()
        recorded.append(value)
        lock.unlock()
    }

    var values: [String] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}

private let nrpeArgumentsExpected = "\"query\" (the arguments of each check_nrpe query) or a list of at most 16 strings, or null"

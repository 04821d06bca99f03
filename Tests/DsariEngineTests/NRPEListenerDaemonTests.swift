import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Synchronization
import Testing

/// dsari-daemon's NRPE listener against Debian's real check_nrpe
/// (nagios-nrpe-plugin), on 127.0.0.1: plain TCP (`-n`, packet versions 2
/// and 4), TLS with anonymous DH (check_nrpe's default) and with
/// certificates, answering with what real plugins recorded.
@Suite("NRPE listener with the real check_nrpe")
struct NRPEListenerDaemonTests {
    static let checkNRPE = "/usr/lib/nagios/plugins/check_nrpe"
    static let plugins = NagiosCheckTests.plugins

    /// Starts a daemon with `settings` (top-level lines) and `jobs`, and
    /// returns it with the port its log names.
    static func daemon(backend: StoreBackend = .sqlite, settings: String, jobs: String) throws -> (DaemonProcess, UInt16) {
        try #require(FileManager.default.isExecutableFile(atPath: checkNRPE), "script/test installs nagios-nrpe-plugin")
        let daemon = try DaemonProcess(config: "nrpe_listen: \"127.0.0.1:0\"\n\(settings)\njobs:\n\(jobs)", backend: backend)
        try daemon.start()
        var port: UInt16?
        _ = eventually(timeout: 30) {
            guard let line = daemon.log.split(separator: "\n").first(where: { $0.contains("answering check_nrpe") }),
                let match = line.firstMatch(of: /address=127\.0\.0\.1:(\d+)/)
            else { return false }
            port = UInt16(match.1)
            return true
        }
        guard let port else {
            let log = daemon.log
            daemon.stop()
            Issue.record("no NRPE port in the log: \(log)")
            throw CancellationError()
        }
        return (daemon, port)
    }

    static func checkNRPE(_ port: UInt16, _ arguments: [String]) throws -> BinaryRunner.Result {
        try BinaryRunner(path: checkNRPE).run(["-H", "127.0.0.1", "-p", String(port), "-t", "10"] + arguments)
    }

    static func waitForRuns(_ daemon: DaemonProcess, jobs: [String]) -> Bool {
        eventually(timeout: 30) {
            guard let runs = try? daemon.store()?.runs(jobNames: [], runIDs: [], running: false) else { return false }
            return Set(jobs).isSubset(of: Set(runs.map(\.jobName)))
        }
    }

    @Test(arguments: StoreBackend.Kind.allCases)
    func plainTCPAnswersWithTheRecordedResults(backend: StoreBackend.Kind) throws {
        let (daemon, port) = try Self.daemon(
            backend: try backend.make(),
            settings: "nrpe_ssl: false",
            jobs: """
                  ok: {command: [\(Self.plugins)/check_dummy, '0', all fine], schedule: "* * * * * *", nagios_check: true}
                  warn: {command: [\(Self.plugins)/check_dummy, '1', getting full], schedule: "* * * * * *", nagios_check: true}
                  crit: {command: [\(Self.plugins)/check_dummy, '2', down], schedule: "* * * * * *", nagios_check: true}
                  unknown: {command: [\(Self.plugins)/check_dummy, '3', what], schedule: "* * * * * *", nagios_check: true}
                  nrpe_check_load: {command: [\(Self.plugins)/check_load, -w, '900,900,900', -c, '999,999,999'], schedule: "* * * * * *", nagios_check: true, nrpe_command: check_load}
                  long: {command: [/bin/sh, -c, 'head -c 70000 /dev/zero | tr "\\\\0" x; echo'], schedule: "* * * * * *", nagios_check: true}
                  never: {command: [\(Self.plugins)/check_dummy, '0'], nagios_check: true}
                  plain: {command: [/bin/true], schedule: "* * * * * *"}
                  nrpe_silent: {command: [/bin/true], schedule: "* * * * * *", nagios_check: true, nrpe_command: silent}
                  nrpe_stderr: {command: [/bin/sh, -c, 'echo broken >&2; exit 2'], schedule: "* * * * * *", nagios_check: true, nrpe_command: stderr_only}
                  nrpe_seven: {command: [/bin/sh, -c, 'echo odd; exit 7'], schedule: "* * * * * *", nagios_check: true, nrpe_command: seven}
                  quiet_ok: {command: [/bin/true], schedule: "* * * * * *", nagios_check: true}
                """)
        defer { daemon.stop() }
        #expect(
            Self.waitForRuns(
                daemon,
                jobs: [
                    "ok", "warn", "crit", "unknown", "nrpe_check_load", "long", "plain", "nrpe_silent", "nrpe_stderr", "nrpe_seven",
                    "quiet_ok",
                ]),
            "\(daemon.log)")
        // As NRPE 4.1 answers (issue #16): a plugin that printed nothing on
        // stdout is UNKNOWN "NRPE: Unable to read output", whatever its exit
        // code; an exit code outside 0-3 of a job from an nrpe.cfg is UNKNOWN.
        for command in ["silent", "stderr_only", "quiet_ok"] {
            let answer = try Self.checkNRPE(port, ["-n", "-c", command])
            #expect(answer.status == 3 && answer.standardOutput == "NRPE: Unable to read output\n", "\(command): \(answer)")
        }
        let seven = try Self.checkNRPE(port, ["-n", "-c", "seven"])
        #expect(seven.status == 3 && seven.standardOutput == "odd\n", "\(seven)")
        // The recorded state agrees (NRPE jobs); a hand-written check keeps Nagios Core's state from its exit code.
        let store = try #require(try daemon.store())
        func recorded(_ job: String) throws -> ConfigValue? { try store.latestCheckResult(jobName: job) }
        #expect(try recorded("nrpe_silent")?["current_state"]?.value == .int(3))
        #expect(try recorded("nrpe_silent")?["plugin_output"]?.value == .string("(No output returned from plugin)"))
        #expect(try recorded("nrpe_stderr")?["current_state"]?.value == .int(3))
        #expect(try recorded("nrpe_seven")?["current_state"]?.value == .int(3))
        #expect(try recorded("quiet_ok")?["current_state"]?.value == .int(0))
        #expect(try recorded("quiet_ok")?["plugin_output"]?.value == .string("(No output returned from plugin)"))
        // Each state, in packet versions 4 (check_nrpe's default), 2 and 3.
        for (command, state, text) in [
            ("ok", 0, "OK: all fine"), ("warn", 1, "WARNING: getting full"), ("crit", 2, "CRITICAL: down"), ("unknown", 3, "UNKNOWN: what"),
        ] {
            for version in [[], ["-2"], ["-3"]] {
                let result = try Self.checkNRPE(port, ["-n"] + version + ["-c", command])
                #expect(result.status == Int32(state) && result.standardOutput == text + "\n", "\(command) \(version): \(result)")
            }
        }
        // An imported check answers for its NRPE command name, output and perfdata as the plugin printed them.
        let load = try Self.checkNRPE(port, ["-n", "-c", "check_load"])
        #expect(
            load.status == 0 && load.standardOutput.hasPrefix("LOAD OK - total load average") && load.standardOutput.contains("|load1="),
            "\(load)")
        // Long output, cut where NRPE 4.1 cuts it: 65504 bytes in v4, 1023 in v2 and v3.
        let long4 = try Self.checkNRPE(port, ["-n", "-c", "long"])
        #expect(long4.standardOutput == String(repeating: "x", count: 65_504) + "\n", "\(long4.standardOutput.count)")
        let long2 = try Self.checkNRPE(port, ["-n", "-2", "-c", "long"])
        #expect(long2.standardOutput == String(repeating: "x", count: 1023) + "\n", "\(long2.standardOutput.count)")
        let long3 = try Self.checkNRPE(port, ["-n", "-3", "-c", "long"])
        #expect(long3.standardOutput == String(repeating: "x", count: 1023) + "\n", "\(long3.standardOutput.count)")
        // _NRPE_CHECK, unknown commands, jobs that are not checks, checks never run, arguments.
        let hello = try Self.checkNRPE(port, ["-n"])
        #expect(hello.status == 0 && hello.standardOutput.hasPrefix("NRPE v4.1.0 (dsari-swift "))
        let unknown = try Self.checkNRPE(port, ["-n", "-c", "nope"])
        #expect(unknown.status == 3 && unknown.standardOutput == "NRPE: Command 'nope' not defined\n")
        #expect(try Self.checkNRPE(port, ["-n", "-c", "plain"]).standardOutput == "NRPE: Command 'plain' not defined\n")
        let never = try Self.checkNRPE(port, ["-n", "-c", "never"])
        #expect(never.status == 3 && never.standardOutput.contains("no result recorded yet"))
        let arguments = try Self.checkNRPE(port, ["-n", "-c", "ok", "-a", "x"])
        #expect(arguments.status == 3 && arguments.standardOutput.contains("Receive header underflow"))
        #expect(daemon.log.contains("Error: Request contained command arguments, but argument option is not enabled!"))
        // The listener writes the daemon's log lines: time, level, message, key=value.
        let refused = daemon.log.split(separator: "\n").first { $0.contains("NRPE request refused") } ?? ""
        #expect(
            refused.range(of: #"^\d{4}-\d\d-\d\dT[0-9:.]+Z WARNING NRPE request refused"#, options: .regularExpression) != nil, "\(refused)"
        )
        // dsari-info check status cuts a 70,000-byte output (to 1000 characters without a terminal).
        let status = try BinaryRunner("dsari-info").run(
            ["-c", daemon.configDirectory, "check", "status", "--job", "long"], environment: ["DSARI_HOME": daemon.home.path])
        let widest = status.standardOutput.split(separator: "\n").map(\.count).max() ?? 0
        #expect(widest < 1200 && status.standardOutput.contains("xxx…"), "\(widest) columns: \(status.standardOutput.prefix(500))")
        // On a 200-column terminal (a pty from script(1)): every line fits.
        let command =
            "stty cols 200; NO_COLOR=1 \(BinaryRunner("dsari-info").executable) -c \(daemon.configDirectory) check status --job long"
        let terminal = try BinaryRunner(path: "/usr/bin/script").run(
            ["-qec", command, "/dev/null"], environment: ["DSARI_HOME": daemon.home.path], timeout: 60)
        let lines = terminal.standardOutput.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map {
            $0.replacingOccurrences(of: "\r", with: "")
        }
        #expect(
            lines.count >= 3 && lines.allSatisfy { $0.count <= 200 } && terminal.standardOutput.contains("xxx…"),
            "\(lines.map(\.count)): \(terminal.standardOutput.prefix(400))")
        // A TLS client against the plain listener fails cleanly; the daemon goes on.
        #expect(try Self.checkNRPE(port, ["-c", "ok"]).status != 0)
        #expect(try Self.checkNRPE(port, ["-n", "-c", "ok"]).status == 0)
    }

    /// check_nrpe's default: TLS with anonymous DH; a check never run is run on demand.
    @Test(arguments: StoreBackend.Kind.allCases)
    func anonymousTLSAndRunOnDemand(backend: StoreBackend.Kind) throws {
        let (daemon, port) = try Self.daemon(
            backend: try backend.make(),
            settings: "nrpe_no_result: run",
            jobs: """
                  crit: {command: [\(Self.plugins)/check_dummy, '2', down], schedule: "* * * * * *", nagios_check: true}
                  ondemand: {command: [\(Self.plugins)/check_dummy, '1', asked for], nagios_check: true}
                """)
        defer { daemon.stop() }
        #expect(daemon.log.contains("TLS, anonymous DH"))
        #expect(Self.waitForRuns(daemon, jobs: ["crit"]), "\(daemon.log)")
        let crit = try Self.checkNRPE(port, ["-c", "crit"])
        #expect(crit.status == 2 && crit.standardOutput == "CRITICAL: down\n", "\(crit)")
        #expect(try Self.checkNRPE(port, ["-2", "-c", "crit"]).status == 2)
        let asked = try Self.checkNRPE(port, ["-c", "ondemand"])
        #expect(asked.status == 1 && asked.standardOutput == "WARNING: asked for\n", "\(asked) \(daemon.log)")
        let runs = try #require(try daemon.store()).runs(jobNames: ["ondemand"], runIDs: [], running: false)
        #expect(runs.map(\.triggerType) == ["nrpe"])
        // Plain TCP against the TLS listener: refused, the daemon goes on.
        #expect(try Self.checkNRPE(port, ["-n", "-c", "crit"]).status == 3)
        #expect(try Self.checkNRPE(port, ["-c", "crit"]).status == 2)
    }

    /// `check_nrpe -a` as NRPE with `dont_blame_nrpe=1` answers it: an
    /// nrpe.cfg command using $ARGn$ (imported by `nrpe_config` as an
    /// on-demand check) runs for each query with its arguments, recorded
    /// with them; a check made with fixed values answers only those; NRPE's
    /// refusals (metacharacters, `$(`) close the connection.
    @Test(arguments: StoreBackend.Kind.allCases)
    func argumentsRunTheMacroCommandsAsNRPEDoes(backend: StoreBackend.Kind) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let nrpe = try directory.write(
            "nrpe.cfg",
            """
            command_timeout=20
            command[check_args]=\(Self.plugins)/check_dummy $ARG1$ '$ARG2$ ($$ARG3$$=$ARG3$)'
            command[check_plain]=\(Self.plugins)/check_dummy 0 plain

            """)
        let (daemon, port) = try Self.daemon(
            backend: try backend.make(),
            settings: "nrpe_ssl: false\nnrpe_allow_arguments: true\nnrpe_config: \(nrpe)\nnrpe_schedule: '* * * * * *'",
            jobs: """
                  fixed: {command: [\(Self.plugins)/check_dummy, '1', fixed], schedule: "* * * * * *", nagios_check: true, nrpe_command: check_fixed, nrpe_arguments: ['1', 'a b']}
                """)
        defer { daemon.stop() }
        #expect(Self.waitForRuns(daemon, jobs: ["fixed", "check_plain"]), "\(daemon.log)")
        // The macros filled from the query, as NRPE fills them ($$ is $).
        let critical = try Self.checkNRPE(port, ["-n", "-c", "check_args", "-a", "2", "disk full", "x y"])
        #expect(critical.status == 2 && critical.standardOutput == "CRITICAL: disk full ($ARG3$=x y)\n", "\(critical) \(daemon.log)")
        // Parallel queries with different arguments each get their own run and answer.
        let answers = Mutex([Int: BinaryRunner.Result]())
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let result = try? Self.checkNRPE(port, ["-n", "-c", "check_args", "-a", String(index % 4), "query \(index)"])
            answers.withLock { $0[index] = result }
        }
        for index in 0..<8 {
            let answer = answers.withLock { $0[index] }
            let state = ["OK", "WARNING", "CRITICAL", "UNKNOWN"][index % 4]
            #expect(
                answer?.status == Int32(index % 4) && answer?.standardOutput == "\(state): query \(index) ($ARG3$=)\n",
                "\(index): \(String(describing: answer))")
        }
        // Each run recorded with trigger type nrpe and the query's arguments.
        let store = try #require(try daemon.store())
        let runs = try store.runs(jobNames: ["check_args"], runIDs: [], running: false)
        #expect(runs.count == 9 && runs.allSatisfy { $0.triggerType == "nrpe" }, "\(runs.map(\.triggerType))")
        #expect(runs.contains { $0.triggerData["nrpe_arguments"]?.value == ["2", "disk full", "x y"] })
        #expect(runs.contains { $0.triggerData["nrpe_arguments"]?.value == ["3", "query 7"] })
        // NRPE's refusals, arguments allowed or not: no answer, NRPE's words in the log.
        for refused in [["x;reboot"], ["$(id)"], ["a`id`"], ["1", "a>b"]] {
            let answer = try Self.checkNRPE(port, ["-n", "-c", "check_args", "-a"] + refused)
            #expect(answer.status == 3 && answer.standardOutput.contains("Receive header underflow"), "\(refused): \(answer)")
        }
        #expect(daemon.log.contains("Error: Request contained illegal metachars!"))
        #expect(daemon.log.contains("Error: Request contained a bash command substitution!"))
        #expect(try store.runs(jobNames: ["check_args"], runIDs: [], running: false).count == 9)
        // Fixed values: the recorded result only for the same arguments (or none).
        let same = try Self.checkNRPE(port, ["-n", "-c", "check_fixed", "-a", "1", "a b"])
        #expect(same.status == 1 && same.standardOutput == "WARNING: fixed\n", "\(same)")
        #expect(try Self.checkNRPE(port, ["-n", "-c", "check_fixed"]).standardOutput == "WARNING: fixed\n")
        let other = try Self.checkNRPE(port, ["-n", "-c", "check_fixed", "-a", "2"])
        #expect(
            other.status == 3
                && other.standardOutput
                    == "NRPE: command 'check_fixed' is checked by dsari with the arguments '1!a b' (job fixed), not '2'\n",
            "\(other)")
        // A command without macros: NRPE ignores the arguments, the recorded result answers.
        let plain = try Self.checkNRPE(port, ["-n", "-c", "check_plain", "-a", "ignored"])
        #expect(plain.status == 0 && plain.standardOutput == "OK: plain\n", "\(plain)")
        // The on-demand check never runs on a schedule.
        #expect(try store.runs(jobNames: ["check_args"], runIDs: [], running: false).allSatisfy { $0.triggerType == "nrpe" })
    }

    /// Certificates: the server's (check_nrpe -A verifies it), and client
    /// certificates required when nrpe_ssl_cacert_file is set (-C/-K).
    /// A check run on demand that is slower than the connection timeout is
    /// answered with NRPE's timeout text before the listener would drop the
    /// connection, so check_nrpe neither fails nor retries; the run goes on.
    @Test func aSlowRunOnDemandGetsNRPEsTimeoutAnswerInTime() throws {
        let (daemon, port) = try Self.daemon(
            settings: "nrpe_ssl: false\nnrpe_no_result: run\nnrpe_connection_timeout: 3",
            jobs: """
                  slow: {command: [/bin/sh, -c, 'sleep 8; echo OK - late'], nagios_check: true, nrpe_command: check_slow}
                """)
        defer { daemon.stop() }
        let began = Date()
        let answer = try Self.checkNRPE(port, ["-n", "-c", "check_slow"])
        let took = Date().timeIntervalSince(began)
        #expect(answer.status == 3 && answer.standardOutput == "NRPE: Command timed out after 3 seconds\n", "\(answer)")
        // Before the run's 8 s: the answer did not wait for the run.
        #expect(took < 8, "answered after \(took) s")
        // The run itself goes on and is recorded; a later query answers its result.
        #expect(try eventually(timeout: 60) { try daemon.store()?.latestCheckResult(jobName: "slow") != nil }, "\(daemon.log)")
        let later = try Self.checkNRPE(port, ["-n", "-c", "check_slow"])
        #expect(later.status == 0 && later.standardOutput == "OK - late\n", "\(later)")
    }

    @Test func certificateTLSWithClientCertificates() throws {
        let keys = try TemporaryDirectory(prefix: "dsari-nrpe-tls")
        defer { keys.remove() }
        func openssl(_ arguments: [String]) throws {
            let result = try BinaryRunner(path: "/usr/bin/openssl").run(arguments, currentDirectory: keys.path)
            try #require(result.status == 0, "openssl \(arguments): \(result.standardError)")
        }
        try openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj",
            "/CN=dsari test CA",
        ])
        for name in ["server", "client"] {
            try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=127.0.0.1"])
            try openssl([
                "x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "\(name).crt",
                "-days", "2",
            ])
        }
        let (daemon, port) = try Self.daemon(
            settings: """
                nrpe_ssl_cert_file: \(keys.url("server.crt"))
                nrpe_ssl_privatekey_file: \(keys.url("server.key"))
                nrpe_ssl_cacert_file: \(keys.url("ca.crt"))
                """,
            jobs: "  ok: {command: [\(Self.plugins)/check_dummy, '0', fine], schedule: \"* * * * * *\", nagios_check: true}")
        defer { daemon.stop() }
        #expect(daemon.log.contains("TLS, certificate"))
        #expect(Self.waitForRuns(daemon, jobs: ["ok"]), "\(daemon.log)")
        let client = ["-A", keys.url("ca.crt"), "-C", keys.url("client.crt"), "-K", keys.url("client.key")]
        let ok = try Self.checkNRPE(port, client + ["-c", "ok"])
        #expect(ok.status == 0 && ok.standardOutput == "OK: fine\n", "\(ok)")
        // Without a client certificate: refused, and the log says why.
        #expect(try Self.checkNRPE(port, ["-c", "ok"]).status != 0)
        #expect(eventually(timeout: 30) { daemon.log.contains("peer did not return a certificate") })
    }

    @Test func aBadNRPESettingIsAClearErrorAtStart() throws {
        let daemon = try DaemonProcess(config: "nrpe_listen: \"127.0.0.1:0\"\nnrpe_allowed_hosts: [no-such-host.invalid]\njobs: {}\n")
        defer { daemon.stop() }
        try daemon.start()
        #expect(daemon.waitForExit(timeout: 20) == 1)
        // Quotes inside a quoted log value are escaped.
        #expect(daemon.log.contains(#"reason="allowed host \"no-such-host.invalid\": not an address"#), "\(daemon.log)")
    }
}

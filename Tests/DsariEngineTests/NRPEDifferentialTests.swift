import DsariCore
import DsariTestSupport
import Foundation
import Testing

/// Debian's real NRPE 4.1 and dsari-daemon on the same nrpe.cfg, asked the
/// same questions by the real check_nrpe (TLS, `-2`, and plain TCP with
/// `-n`): every answer — result code and text — is NRPE's. Not compared:
/// `_NRPE_CHECK`'s version string, and that dsari answers a scheduled
/// check's last recorded run where NRPE runs it anew (these plugins print
/// the same every time).
@Suite("NRPE differential: dsari-daemon against the real NRPE")
struct NRPEDifferentialTests {
    static let nrpe = "/usr/sbin/nrpe"

    /// The real NRPE in the foreground on `port` (as the nagios user when run as root).
    final class NRPEServer {
        let process = Process()

        init(config: String, plain: Bool) throws {
            // Through env(1) with every signal's default action: NRPE times
            // commands out with SIGALRM, which the test process may ignore
            // (and a child inherits what is ignored).
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["--default-signal", NRPEDifferentialTests.nrpe, "-c", config, "-f"] + (plain ? ["-n"] : [])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// SIGTERM, then SIGKILL after 5 s: a server that ignores the first never hangs the test.
        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            if !eventually(timeout: 5, { !process.isRunning }) {
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
        }
    }

    static let commands = """
        command[ok]=/usr/lib/nagios/plugins/check_dummy 0 all fine
        command[warn]=/usr/lib/nagios/plugins/check_dummy 1 getting full
        command[crit]=/usr/lib/nagios/plugins/check_dummy 2 down
        command[unknown]=/usr/lib/nagios/plugins/check_dummy 3 what
        command[multi]=/bin/sh -c 'printf "WARN - top | a=1;2;3\\nline two\\nline three | b=2s\\n"; exit 1'
        command[silent]=/bin/true
        command[stderr_only]=/bin/sh -c 'echo broken >&2; exit 2'
        command[seven]=/bin/sh -c 'echo odd; exit 7'
        command[slow]=/bin/sleep 10
        command[echo_args]=/bin/echo "OK - [$ARG1$] [$ARG2$] $$5"
        """

    @Test(.timeLimit(.minutes(3)))
    func answersAreNRPEs() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.nrpe), "script/test installs nagios-nrpe-server")
        let directory = try TemporaryDirectory(prefix: "dsari-nrpe-diff")
        defer { directory.remove() }
        // NRPE drops to the nagios user: its files must be readable, its pid file's directory writable.
        _ = try BinaryRunner(path: "/bin/chmod").run(["777", directory.path])
        let (tlsPort, plainPort) = (try freeLoopbackPort(), try freeLoopbackPort())
        func nrpeConfig(_ port: UInt16, _ name: String) throws -> String {
            try directory.write(
                "\(name).cfg",
                """
                server_port=\(port)
                server_address=127.0.0.1
                pid_file=\(directory.url("\(name).pid"))
                nrpe_user=nagios
                nrpe_group=nagios
                allowed_hosts=127.0.0.1
                dont_blame_nrpe=0
                command_timeout=2
                connection_timeout=300
                \(Self.commands)

                """)
        }
        let tlsNRPE = try NRPEServer(config: try nrpeConfig(tlsPort, "tls"), plain: false)
        defer { tlsNRPE.stop() }
        let plainNRPE = try NRPEServer(config: try nrpeConfig(plainPort, "plain"), plain: true)
        defer { plainNRPE.stop() }
        // Two daemons importing the same commands (nrpe_config), each
        // running every check every second: one with TLS, one plain.
        let shared = try directory.write("shared-nrpe.cfg", "command_timeout=2\n\(Self.commands)\n")
        func dsari(_ settings: String) throws -> (DaemonProcess, UInt16) {
            try NRPEListenerDaemonTests.daemon(
                settings: "nrpe_config: \(shared)\nnrpe_schedule: '* * * * * *'\n\(settings)", jobs: "  {}")
        }
        let (tlsDsari, tlsDsariPort) = try dsari("")
        defer { tlsDsari.stop() }
        let (plainDsari, plainDsariPort) = try dsari("nrpe_ssl: false")
        defer { plainDsari.stop() }
        let names = ["ok", "warn", "crit", "unknown", "multi", "silent", "stderr_only", "seven", "slow"]
        for daemon in [tlsDsari, plainDsari] {
            #expect(
                eventually(timeout: 30) {
                    names.allSatisfy { name in (try? daemon.store()?.latestCheckResult(jobName: name)) != nil }
                }, "\(daemon.log.suffix(3000))")
        }
        var compared = 0
        for (flags, reference, ours) in [
            ([String](), tlsPort, tlsDsariPort), (["-2"], tlsPort, tlsDsariPort), (["-n"], plainPort, plainDsariPort),
        ] {
            // With arguments (refused by both: Debian's NRPE is built without
            // them, dsari's nrpe_allow_arguments is off), shell metacharacters,
            // and a $ARGn$ command run without any (every macro empty).
            let queries =
                (names + ["undefined", "echo_args"]).map { ["-c", $0] } + [
                    ["-c", "echo_args", "-a", "x", "y"], ["-c", "ok", "-a", "x"], ["-c", "ok;reboot"],
                ]
            for query in queries {
                let arguments = flags + query
                let expected = try NRPEListenerDaemonTests.checkNRPE(reference, arguments)
                let answered = try NRPEListenerDaemonTests.checkNRPE(ours, arguments)
                #expect(
                    answered.status == expected.status && answered.standardOutput == expected.standardOutput,
                    "\(arguments): NRPE \(expected.status) \(expected.standardOutput.debugDescription), dsari \(answered.status) \(answered.standardOutput.debugDescription)"
                )
                compared += 1
            }
        }
        #expect(compared == 42)
    }
}

import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// Two hosts recording into one real PostgreSQL or MariaDB database, seen through the
/// built `dsari-info` and `dsari-daemon`: this host's runs by default,
/// `--host` and `--all-hosts` for the fleet, another host's output named
/// where it is; and a daemon that waits for its database server at start.
@Suite("Fleet views on PostgreSQL and MySQL (built binaries)")
struct FleetViewTests {
    @Test(arguments: StoreBackend.Kind.servers)
    func dsariInfoShowsThisHostByDefaultAndTheFleetOnRequest(kind: StoreBackend.Kind) throws {
        let backend = try kind.make()
        let alpha = try DaemonProcess(
            config: "jobs:\n  ping: {command: [/bin/sh, -c, 'echo alpha'], schedule: '* * * * * *'}\n", backend: backend, hostName: "alpha")
        let beta = try DaemonProcess(
            config: "jobs:\n  ping: {command: [/bin/sh, -c, 'echo beta'], schedule: '* * * * * *'}\n"
                + "  chk: {command: [/bin/sh, -c, 'echo CRITICAL - beta down 🔥; exit 2'], schedule: '* * * * * *', nagios_check: true}\n",
            backend: backend, hostName: "beta")
        try alpha.start()
        try beta.start()
        defer {
            alpha.stop()
            beta.stop()
        }
        #expect(
            try eventually(timeout: 30) {
                try (alpha.store()?.runs(RunQuery(finished: true, running: false, hosts: .all)).count ?? 0) >= 6
                    && (beta.store()?.latestCheckResult(jobName: "chk") != nil)
            }, "\(alpha.log)\n\(beta.log)")
        alpha.signal(SIGTERM)
        beta.signal(SIGTERM)
        #expect(alpha.waitForExit() == 0 && beta.waitForExit() == 0)
        let info = BinaryRunner("dsari-info")
        let environment = ["DSARI_HOME": alpha.home.path]
        func list(_ extra: [String]) throws -> [String: ConfigNode] {
            let result = try info.run(["-c", alpha.configDirectory, "run", "list", "--format", "json"] + extra, environment: environment)
            #expect(result.status == 0, "\(result.standardError)")
            guard case .mapping(let entries) = try ConfigFileReader.parse(result.standardOutput, format: .json, file: "list").value else {
                return [:]
            }
            return Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        }
        // Default: this host's runs only, no host field (dsari's layout).
        let own = try list([])
        #expect(!own.isEmpty && own.values.allSatisfy { $0["host_name"] == nil && $0["job_name"]?.value == .string("ping") })
        let betaStore = try #require(try beta.store())
        let betaRuns = try betaStore.runs(RunQuery(finished: true, running: false))
        #expect(own.keys.allSatisfy { id in !betaRuns.contains { $0.runID == id } })
        // --host beta: exactly beta's runs, each naming its host; --all-hosts: both.
        let onlyBeta = try list(["--host", "beta"])
        #expect(Set(onlyBeta.keys) == Set(betaRuns.map(\.runID)))
        #expect(onlyBeta.values.allSatisfy { $0["host_name"]?.value == .string("beta") })
        let everyone = try list(["--all-hosts"])
        #expect(everyone.count == own.count + betaRuns.count)
        #expect(Set(everyone.values.compactMap { $0["host_name"]?.value.stringValue }) == ["alpha", "beta"])
        let both = try info.run(["-c", alpha.configDirectory, "run", "list", "--host", "x", "--all-hosts"], environment: environment)
        #expect(both.status == 64 && both.standardError.contains("--host and --all-hosts cannot be used together"))
        // Another host's output stays there: said so, with the host.
        let betaRun = try #require(betaRuns.first)
        let output = try info.run(["-c", alpha.configDirectory, "run", "output", betaRun.runID], environment: environment)
        #expect(output.status == 1)
        #expect(output.standardError.contains("ran on host \"beta\"") && output.standardError.contains("output is there"))
        #expect(
            try info.run(["-c", beta.configDirectory, "run", "output", betaRun.runID], environment: ["DSARI_HOME": beta.home.path])
                .standardOutput.contains("beta"))
        // check status: alpha has no checks; --all-hosts shows beta's CRITICAL check with its host.
        let checks = try info.run(["-c", alpha.configDirectory, "check", "status", "--all-hosts"], environment: environment)
        #expect(checks.status == 2, "\(checks.standardOutput)\(checks.standardError)")
        #expect(checks.standardOutput.contains("beta") && checks.standardOutput.contains("CRITICAL - beta down 🔥"))
        let quiet = try info.run(["-c", alpha.configDirectory, "check", "status"], environment: environment)
        #expect(quiet.status == 0 && !quiet.standardOutput.contains("beta down"))

        // config dump names the database without its password.
        let dump = try info.run(["-c", alpha.configDirectory, "config", "dump", "--format", "json"], environment: environment)
        let secret = kind == .mysql ? try MariaDBServer.shared.password : try PostgresServer.shared.password
        #expect(dump.status == 0 && !dump.standardOutput.contains(secret), "\(dump.standardOutput)")
        #expect(dump.standardOutput.contains(kind == .mysql ? "\"passwd\": \"***\"" : "password=***"), "\(dump.standardOutput)")

        // The exporter's fleet page: a host column, beta (a CRITICAL check) before alpha, in a real browser without errors.
        let exporter = try ExporterProcess(home: alpha.home, arguments: ["--all-hosts"])
        defer { exporter.stop() }
        let page = try httpBody(port: exporter.port, path: "/status")
        #expect(page.contains("<th>Host</th>") && page.contains(" on 2 hosts"), "\(page)")
        let betaRow = try #require(page.range(of: "data-host=\"beta\" data-job=\"chk\""))
        let alphaRow = try #require(page.range(of: "data-host=\"alpha\" data-job=\"ping\""))
        #expect(betaRow.lowerBound < alphaRow.lowerBound)
        let metrics = try httpBody(port: exporter.port, path: "/metrics")
        #expect(metrics.contains("dsari_check_state{host=\"beta\",job_name=\"chk\"} 2\n"), "\(metrics)")
        #expect(metrics.contains("dsari_run_count{host=\"alpha\",job_name=\"ping\"} "))
        let (png, console) = try BrowserTests.screenshot(
            "http://127.0.0.1:\(exporter.port)/status", name: "fleet-status", profile: alpha.home)
        #expect(console.isEmpty, "the fleet page logged: \(console)")
        print("screenshot: \(png)")
    }

    /// A server not reachable at start: the daemon says so every few seconds
    /// and starts once the server is there; past `connect_timeout` it exits 1.
    @Test(arguments: StoreBackend.Kind.servers)
    func theDaemonWaitsForItsDatabaseServerAtStart(kind: StoreBackend.Kind) throws {
        let server = try #require(try kind.ownServer())
        defer { server.stop() }
        let backend = try server.freshBackend()
        server.stopServer()
        let daemon = try DaemonProcess(
            config: "jobs:\n  tick: {command: [/bin/true], schedule: '* * * * * *'}\n", backend: backend, hostName: "late")
        try daemon.start()
        defer { daemon.stop() }
        #expect(
            eventually(timeout: 30) { daemon.log.components(separatedBy: "cannot be reached yet; retrying").count > 2 }, "\(daemon.log)")
        #expect(daemon.process.isRunning)
        #expect(!daemon.log.contains(server.password), "the password appeared in the log")
        try server.start()
        #expect(eventually(timeout: 30) { daemon.log.contains("dsari-daemon started") }, "\(daemon.log)")
        #expect(try eventually(timeout: 30) { try (daemon.store()?.runs(RunQuery(finished: true, running: false)).count ?? 0) > 0 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        // With no server at all: connect_timeout (2 s here), then exit 1 with the reason.
        server.stopServer()
        let home = try TemporaryDirectory(prefix: "dsari-daemon-test")
        let impatient = try DaemonProcess(config: "jobs: {}\n", home: home, backend: backend, hostName: "late")
        try home.write(
            "etc/config.d/00-database.yaml",
            "host_name: late\n" + (backend.configLines ?? "").replacingOccurrences(of: "connect_timeout: 60", with: "connect_timeout: 2"))
        let began = Date()
        try impatient.start()
        defer { impatient.stop() }
        #expect(impatient.waitForExit(timeout: 30) == 1)
        #expect(Date().timeIntervalSince(began) >= 2)
        let named = kind == .mysql ? "MySQL database (dsari@127.0.0.1:" : "PostgreSQL database (host=127.0.0.1"
        #expect(
            impatient.log.contains("cannot open the database \(named)") && impatient.log.contains("(unreachable)"),
            "\(impatient.log)")
        #expect(!impatient.log.contains(server.password))
        if kind == .postgresql { #expect(impatient.log.contains("password=***")) }
    }
}

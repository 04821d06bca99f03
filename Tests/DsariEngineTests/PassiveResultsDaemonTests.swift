import DsariCore
import DsariTestSupport
import Foundation
import Testing

/// passive_results end to end: a real dsari-daemon runs 10 checks a second
/// and submits each result to a real nsca, Nagios 4 (its command file) or
/// Icinga 2 (its API); the destination is
/// stopped for 20 s (and the daemon restarted meanwhile), then started
/// again. Every result recorded arrives exactly once, in order per check;
/// the metrics and `dsari-info check status` show it.
///
/// Before stopping the destination, the daemon is paused for 2 s (SIGSTOP)
/// so that the destination has read what was already written to it: nsca
/// and Nagios drop what is still unread in their socket or pipe when they
/// stop — theirs to lose, not a delivery dsari could have noticed (NSCA
/// answers nothing, a command file neither).
@Suite("passive results through an outage (built binary, real nsca and Nagios)", .serialized)
struct PassiveResultsDaemonTests {
    enum Destination: String, CaseIterable, CustomTestStringConvertible {
        case nsca, commandFile, icinga2
        var testDescription: String { rawValue }
    }

    static let checks = 10

    static func config(_ destinationLines: String) -> String {
        var text = "passive_results:\n" + destinationLines + "jobs:\n"
        for index in 0..<checks {
            text += """
                  c\(index):
                    command: [/bin/sh, -c, 'echo "OK run $RUN_ID|n=\(index)"']
                    schedule: "* * * * * *"
                    nagios_check: true
                    passive_service: check-\(index)
                    passive_host: web-01

                """
        }
        return text
    }

    /// The destination under test: its config lines, what it received
    /// (service → run ids in arrival order), and its outage.
    struct Server {
        let lines: String
        let received: () -> [String: [String]]
        /// The state the destination shows for a service now (Nagios' status.dat), when it keeps one.
        var shownOutput: (String) -> String? = { _ in nil }
        let stop: () -> Void
        let start: () throws -> Void
        let remove: () -> Void
    }

    static func server(_ destination: Destination) throws -> Server {
        let services = (0..<checks).map { "check-\($0)" }
        func runID(_ output: String) -> String? {
            guard let range = output.range(of: "OK run ") else { return nil }
            return String(output[range.upperBound...].prefix { $0 != "|" })
        }
        switch destination {
        case .nsca:
            let nsca = try NSCAServer(encryption: 1, password: "s3cret")
            return Server(
                lines: "  - {type: nsca, address: \"127.0.0.1:\(nsca.port)\", encryption: 1, password: s3cret, max_age: 600}\n",
                received: {
                    var byService: [String: [String]] = [:]
                    for line in nsca.results where line.host == "web-01" {
                        if let id = runID(line.output) { byService[line.service, default: []].append(id) }
                    }
                    return byService
                }, stop: nsca.stopServer, start: nsca.start, remove: nsca.stop)
        case .commandFile:
            let nagios = try NagiosServer(host: "web-01", services: services)
            return Server(
                lines: "  - {type: command_file, path: \(nagios.commandFile), max_age: 600}\n",
                received: {
                    var byService: [String: [String]] = [:]
                    for command in nagios.externalCommands {
                        if let id = runID(command.output) { byService[command.service, default: []].append(id) }
                    }
                    return byService
                }, shownOutput: { service in nagios.serviceStatus[service]?["plugin_output"] },
                stop: nagios.stopServer, start: nagios.start, remove: nagios.stop)
        case .icinga2:
            let icinga = try Icinga2Server(host: "web-01", services: services)
            return Server(
                lines: """
                      - {type: icinga2, url: "\(icinga.url)", ca_file: \(icinga.certificates.caFile), user: \(Icinga2Server.user), password: \(Icinga2Server.password), max_age: 600}

                    """,
                received: {
                    var byService: [String: [String]] = [:]
                    for body in icinga.requestBodies {
                        guard let names = body["filter_vars"] as? [String: String], names["host_name"] == "web-01",
                            let service = names["service_name"], let output = body["plugin_output"] as? String, let id = runID(output)
                        else { continue }
                        byService[service, default: []].append(id)
                    }
                    return byService
                }, shownOutput: { service in icinga.lastCheckResult(host: "web-01", service: service)?["output"] as? String },
                stop: icinga.stopServer, start: icinga.start, remove: icinga.stop)
        }
    }

    @Test(arguments: Destination.allCases)
    func everyResultIsDeliveredOnceInOrderThroughAnOutage(destination: Destination) throws {
        let server = try Self.server(destination)
        defer { server.remove() }
        let config = Self.config(server.lines)
        let first = try DaemonProcess(config: config)
        defer { first.stop(keepHome: true) }
        try first.start()
        func delivered() -> Int { server.received().values.map(\.count).reduce(0, +) }
        #expect(
            eventually(timeout: 30) { delivered() >= 30 },
            "\(PassiveQueueProbe.states(first.dataDirectory))\n\(first.log.split(separator: "\n").filter { $0.contains("passive") || $0.contains("deliver") }.prefix(5))"
        )

        // The outage: 20 s, with a daemon restart in the middle.
        first.signal(SIGSTOP)
        usleep(2_000_000)
        server.stop()
        first.signal(SIGCONT)
        usleep(10_000_000)
        first.signal(SIGTERM)
        #expect(first.waitForExit() == 0)
        let second = try DaemonProcess(config: config, home: first.home)
        defer { second.stop(keepHome: true) }
        try second.start()
        usleep(10_000_000)
        let dataDirectory = first.dataDirectory
        let waiting = PassiveQueueProbe.pending(dataDirectory)
        #expect(waiting > 50, "results queued during the outage: \(waiting)")
        try server.start()
        usleep(3_000_000)

        // No more runs (a reload without the jobs), then everything queued goes.
        try first.home.write("etc/dsari.yaml", "passive_results:\n" + server.lines + "jobs: {}\n")
        second.signal(SIGHUP)
        #expect(eventually(timeout: 30) { second.log.contains("configuration reloaded") }, "\(second.log)")
        #expect(eventually(timeout: 120) { PassiveQueueProbe.pending(dataDirectory) == 0 }, "\(second.log)")

        // Every finished check run arrived once, in the order the runs started.
        let store = try #require(try second.store())
        let runs = try store.runs(jobNames: (0..<Self.checks).map { "c\($0)" }, runIDs: [], finished: true, running: false)
        // The server shows what it took a little later (its main loop, its log's flush).
        _ = eventually(timeout: 60) {
            let received = server.received()
            return (0..<Self.checks).allSatisfy { index in
                (received["check-\(index)"]?.count ?? 0) >= runs.count { $0.jobName == "c\(index)" }
            }
        }
        let received = server.received()
        var total = 0
        for index in 0..<Self.checks {
            let expected = runs.filter { $0.jobName == "c\(index)" }.sorted { $0.startTime < $1.startTime }.map(\.runID)
            let got = received["check-\(index)"] ?? []
            #expect(
                got == expected,
                "check-\(index): \(got.count) received, \(expected.count) recorded; first difference at \(zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, expected.count))"
            )
            total += expected.count
            if destination != .nsca, let last = expected.last {
                // Nagios or Icinga took them as results of its service, not just as requests.
                #expect(eventually(timeout: 30) { server.shownOutput("check-\(index)") == "OK run \(last)" })
            }
        }
        #expect(total > 120)

        // The counters: every result sent, failed attempts during the outage, nothing dropped, nothing waiting.
        let name = ["nsca": "nsca 127.0.0.1:", "commandFile": "command_file ", "icinga2": "icinga2 https://127.0.0.1:"][
            destination.rawValue]!
        var dumped = ""
        var sent: Substring?
        // The counter is saved just after the queue's last file goes.
        _ = try eventually(timeout: 30) {
            dumped = try BinaryRunner("dsari-prometheus-exporter").run(
                ["-c", second.configDirectory, "--dump"], environment: ["DSARI_HOME": second.home.path]
            ).standardOutput
            sent = dumped.split(separator: "\n").first {
                $0.hasPrefix("dsari_passive_results_sent_total{destination=\"\(name)")
            }
            return sent?.hasSuffix(" \(total)") == true
        }
        #expect(sent?.hasSuffix(" \(total)") == true, "\(sent ?? "no sent_total") vs \(total)")
        #expect(dumped.contains("dsari_passive_results_queue_length{destination=\"\(name)"))
        let failed = dumped.split(separator: "\n").first { $0.hasPrefix("dsari_passive_results_failed_total") }
        #expect(failed.map { !$0.hasSuffix(" 0") } == true, "\(failed ?? "")")
        #expect(dumped.contains("reason=\"expired\"} 0") && dumped.contains("reason=\"rejected\"} 0"))
        let status = try BinaryRunner("dsari-info").run(
            ["-c", second.configDirectory, "check", "status"], environment: ["DSARI_HOME": second.home.path])
        #expect(status.standardOutput.contains("passive results to \(name)"), "\(status.standardOutput)")
        #expect(status.standardOutput.contains(": 0 waiting, \(total) sent"), "\(status.standardOutput)")
    }
}

/// What waits in a data directory's passive queues, read as the exporter reads it.
enum PassiveQueueProbe {
    /// Each queue's state.json, for failure messages.
    static func states(_ dataDirectory: String) -> String {
        let root = DataLayout(dataDirectory: dataDirectory).passiveRoot
        let queues = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return queues.map { (try? String(contentsOfFile: root + "/" + $0 + "/state.json", encoding: .utf8)) ?? "\($0): no state" }
            .joined(separator: "\n")
    }

    static func pending(_ dataDirectory: String) -> Int {
        let root = DataLayout(dataDirectory: dataDirectory).passiveRoot
        let queues = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return queues.reduce(0) { sum, queue in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + queue)) ?? []
            return sum + names.filter { $0.hasSuffix(".json") && $0 != "state.json" }.count
        }
    }
}

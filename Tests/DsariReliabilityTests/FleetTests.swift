import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

extension ReliabilityTests {
    /// A fleet on one PostgreSQL or MariaDB database: three daemons (hosts
    /// a, b, c), 10 jobs a second each; b killed with kill -9 and restarted;
    /// the server stopped for 15 s under that load and started again. Every
    /// run that reached its end is recorded exactly once, on its own host;
    /// the others' runs are never touched by b's recovery.
    @Suite("fleet on a database server")
    struct Fleet {
        static func configuration(ledger: String) -> String {
            let jobs = (0..<10).map { index in
                "  job\(index): {command: [/bin/sh, -c, 'sleep 0.\(index % 4); echo \"$RUN_ID\" >> \"$LEDGER\"'], schedule: '* * * * * *'}"
            }
            return """
                environment: {LEDGER: "\(ledger)"}
                jobs:
                \(jobs.joined(separator: "\n"))

                """
        }

        static func ledger(_ path: String) -> [String] {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        @Test(.timeLimit(.minutes(5)), arguments: StoreBackend.Kind.servers)
        func threeHostsAKillAndAServerOutageLoseNothing(kind: StoreBackend.Kind) throws {
            // A server of its own: it is stopped in the middle.
            let server = try #require(try kind.ownServer())
            defer { server.stop() }
            let backend = try server.freshBackend()
            let hosts = ["a", "b", "c"]
            var daemons: [String: DaemonProcess] = [:]
            var ledgers: [String: String] = [:]
            for host in hosts {
                let home = try TemporaryDirectory(prefix: "dsari-fleet-\(host)")
                ledgers[host] = home.url("ledger")
                let daemon = try DaemonProcess(
                    config: Self.configuration(ledger: home.url("ledger")), home: home, backend: backend, hostName: host)
                try daemon.start()
                daemons[host] = daemon
            }
            defer {
                for daemon in daemons.values { daemon.stop() }
            }
            struct NotSetUp: Error {}
            func store(_ host: String) throws -> any RunStore {
                guard let store = try backend.openStore(databasePath: "", hostName: host) else { throw NotSetUp() }
                return store
            }
            let everyHost = { try store("a").runs(RunQuery(hosts: .all)) }
            #expect(eventually(timeout: 30) { (try? everyHost().count) ?? 0 >= 60 }, "\(daemons["a"]!.log.suffix(2000))")

            // kill -9 on b, while the others' runs are in flight.
            let victim = try #require(daemons["b"])
            let othersRunning = try store("a").runs(RunQuery(finished: false, running: true, hosts: .only(["a", "c"])))
            victim.signal(SIGKILL)
            _ = victim.waitForExit()
            let bInFlight = try store("b").runningRuns().map(\.runID)
            let restarted = try DaemonProcess(
                config: Self.configuration(ledger: ledgers["b"]!), home: victim.home, backend: backend, hostName: "b")
            try restarted.start()
            daemons["b"] = restarted
            #expect(eventually(timeout: 30) { restarted.log.contains("dsari-daemon started") }, "\(restarted.log)")
            // b's runs in flight are recorded as interrupted; a's and c's are nobody's business but theirs.
            let afterRecovery = try store("a").runs(RunQuery(runIDs: othersRunning.map(\.runID), hosts: .all))
            #expect(afterRecovery.allSatisfy { $0.runData["interrupted"] == nil }, "b's recovery touched another host's run")
            let bRecovered = try store("b").runs(RunQuery(runIDs: bInFlight, finished: true, running: false))
            #expect(Set(bRecovered.map(\.runID)) == Set(bInFlight) && bRecovered.allSatisfy { $0.exitCode == -1 })

            // The server goes away for 15 s under load, then comes back.
            usleep(3_000_000)
            server.stopServer()
            usleep(15_000_000)
            try server.start()
            // Ten more seconds of load after the outage, then a clean stop.
            usleep(10_000_000)
            for host in hosts {
                daemons[host]?.signal(SIGTERM)
            }
            for host in hosts {
                #expect(daemons[host]?.waitForExit(timeout: 60) == 0, "\(host): \(daemons[host]?.log.suffix(3000) ?? "")")
            }
            for host in hosts {
                #expect(daemons[host]?.log.contains("cannot write runs to the database") == true, "\(host) never noticed the outage")
                #expect(
                    daemons[host]?.log.contains("database writable again") == true,
                    "\(host) never wrote again: \(daemons[host]?.log.split(separator: "\n").filter { $0.contains("database") || $0.contains("ERROR") || $0.contains("WARN") }.suffix(40).joined(separator: "\n") ?? "")"
                )
            }

            // Every run that reached its end is recorded once, on its host; nothing is left running.
            let all = try everyHost()
            #expect(Set(all.map(\.runID)).count == all.count, "a run recorded twice")
            #expect(try store("a").runs(RunQuery(finished: false, running: true, hosts: .all)).isEmpty)
            let viewer = daemons["a"]!
            let exporter = try BinaryRunner("dsari-prometheus-exporter").run(
                ["-c", viewer.configDirectory, "--dump", "--all-hosts"], environment: ["DSARI_HOME": viewer.home.path], timeout: 60)
            #expect(exporter.status == 0, "\(exporter.standardError)")
            var dumpedCounts: [String: Int] = [:]
            for line in exporter.standardOutput.split(separator: "\n") where line.hasPrefix("dsari_run_count{") {
                // dsari_run_count{host="a",job_name="job3"} 31
                let labels = line.dropFirst("dsari_run_count{".count).prefix { $0 != "}" }
                let parts = Dictionary(
                    labels.split(separator: ",").map { pair -> (String, String) in
                        let pieces = pair.split(separator: "=", maxSplits: 1)
                        return (String(pieces[0]), String(pieces[1].dropFirst().dropLast()))
                    }, uniquingKeysWith: { $1 })
                dumpedCounts["\(parts["host"] ?? "?")/\(parts["job_name"] ?? "?")"] = Int(line.split(separator: " ").last ?? "")
            }
            let listing = try BinaryRunner("dsari-info").run(
                ["-c", viewer.configDirectory, "run", "list", "--all-hosts", "--format", "json"],
                environment: ["DSARI_HOME": viewer.home.path],
                timeout: 60)
            #expect(listing.status == 0, "\(listing.standardError)")
            var listed: [String: Int] = [:]
            let runsListed = try ConfigFileReader.parse(listing.standardOutput, format: .json, file: "run list").value
            if case .mapping(let entries) = runsListed {
                for entry in entries { listed[entry.value["host_name"]?.value.stringValue ?? "?", default: 0] += 1 }
            }
            for host in hosts {
                let ledger = Self.ledger(ledgers[host]!)
                let recorded = try store(host).runs(RunQuery(finished: true, running: false))
                let byID = Dictionary(recorded.map { ($0.runID, $0) }, uniquingKeysWith: { first, _ in first })
                let missing = ledger.filter { byID[$0] == nil }
                #expect(missing.isEmpty, "\(host): \(missing.count) of \(ledger.count) finished runs not recorded")
                #expect(Set(ledger).count == ledger.count)
                // The ledger's runs ended normally (exit 0), except b's interrupted ones.
                #expect(ledger.compactMap { byID[$0] }.allSatisfy { $0.exitCode == 0 || bInFlight.contains($0.runID) })
                #expect(recorded.count >= 150, "\(host): only \(recorded.count) runs")
                // The fleet-wide views count the same: the exporter's --all-hosts
                // series and dsari-info's --all-hosts listing, from another host's configuration.
                let counts = dumpedCounts.filter { $0.key.hasPrefix("\(host)/") }.values.reduce(0, +)
                #expect(counts == recorded.count, "\(host): exporter --all-hosts counts \(counts), database \(recorded.count)")
                #expect(listed[host, default: 0] == recorded.count, "\(host): run list --all-hosts \(listed[host, default: 0])")
                ReliabilityReport.record(
                    test: "fleet (\(kind)) host \(host)", load: "3 hosts x 10 jobs/s, ~40 s",
                    faults: host == "b" ? "kill -9; 15 s outage" : "15 s outage",
                    runsLost: missing.count, crashes: 0, notes: "\(recorded.count) runs recorded")
            }
        }
    }
}

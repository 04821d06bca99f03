import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// `/metrics` and `/status.json` of a running daemon (`http_listen`) and of
/// the standalone exporter follow the database for a minute while jobs and
/// Nagios checks run: counts, last exit codes, check states, running runs.
/// (Found from outside: once a check result had been read, both froze at
/// their first scrape — a read statement kept its WAL snapshot.)
@Suite("Live metrics follow the database")
struct LiveMetricsTests {
    /// What the database holds at one moment.
    struct Recorded {
        var finished: [String: Int] = [:]
        var lastExitCode: [String: Int] = [:]
        var finishedRunIDs = Set<String>()
        var runningRunIDs = Set<String>()
        var knownRunIDs: Set<String> { finishedRunIDs.union(runningRunIDs) }

        init(databasePath: String) throws {
            guard FileManager.default.fileExists(atPath: databasePath) else { return }
            let store = try SQLiteRunStore(path: databasePath, readOnly: true)
            try store.forEachRun(RunQuery()) { row in
                if let code = row.exitCode, row.stopTime != nil {
                    finished[row.jobName, default: 0] += 1
                    lastExitCode[row.jobName] = code
                    finishedRunIDs.insert(row.runID)
                } else {
                    runningRunIDs.insert(row.runID)
                }
            }
        }
    }

    /// The run ids of `dsari_running_run_start_time` samples.
    static func runningRunIDs(_ text: String) -> Set<String> {
        var ids = Set<String>()
        for line in text.split(separator: "\n") where line.hasPrefix("dsari_running_run_start_time{") {
            guard let start = line.range(of: "run_id=\"") else { continue }
            ids.insert(String(line[start.upperBound...].prefix { $0 != "\"" }))
        }
        return ids
    }

    static func checkState(_ statusJSON: String, job: String) -> Int? {
        guard let value = try? ConfigFileReader.parse(statusJSON, format: .json, file: "status.json").value,
            let jobs = value["jobs"]?.value.arrayValue,
            let entry = jobs.first(where: { $0["job_name"]?.value.stringValue == job }),
            case .int(let state)? = entry["current_state"]?.value
        else { return nil }
        return Int(state)
    }

    @Test(.timeLimit(.minutes(4)))
    func daemonAndExporterTrackTheDatabaseForAMinute() throws {
        let daemon = try DaemonProcess(config: "")
        let stateFile = daemon.home.url("check-state")
        try "0\n".write(toFile: stateFile, atomically: true, encoding: .utf8)
        // "flip" exits 0 and 1 in turn; "check" reports the state the test
        // writes; "slow" is running most of the time.
        _ = try daemon.home.write(
            "etc/dsari.yaml",
            """
            http_listen: "127.0.0.1:0"
            shutdown_kill_runs: true
            jobs:
              flip: {command: [/bin/sh, -c, 'exit $(( $(date +%s) % 2 ))'], schedule: '* * * * * *'}
              check:
                command: [/bin/sh, -c, 'read s < \(stateFile); echo "STATE $s | s=$s;1;2"; exit $s']
                schedule: '* * * * * */2'
                nagios_check: true
              slow: {command: [/bin/sleep, '3'], schedule: '* * * * * */4'}

            """)
        try daemon.start()
        defer { daemon.stop() }
        _ = eventually(timeout: 30) { daemon.httpPort != nil }
        let port = try #require(daemon.httpPort, "\(daemon.log)")
        let exporter = try ExporterProcess(home: daemon.home, arguments: ["--job-cache-time", "0"])
        defer { exporter.stop() }

        var countsSeen: [String: Set<Double>] = [:]
        var runningSeen = Set<String>()
        var statesSeen = Set<Int>()
        var nextState = 1
        let began = Date()
        var lastFlip = began
        /// How many different counts each series must show, in both views.
        func minimum(_ series: String) -> Int { series.hasSuffix("flip") ? 30 : series.hasSuffix("check") ? 10 : 5 }
        func enoughSeen() -> Bool {
            countsSeen.count == 6 && countsSeen.allSatisfy { $0.value.count >= minimum($0.key) } && statesSeen.count >= 3
        }
        // A minute, longer (up to three) while a busy machine has not shown enough yet.
        while Date().timeIntervalSince(began) < 60 || (!enoughSeen() && Date().timeIntervalSince(began) < 180) {
            if Date().timeIntervalSince(lastFlip) > 8 {
                // A new check state: both views must show it within a few runs.
                try "\(nextState)\n".write(toFile: stateFile, atomically: true, encoding: .utf8)
                let wanted = nextState
                for (name, endpoint) in [("daemon", port), ("exporter", exporter.port)] {
                    var seen: Int?
                    let followed = eventually(timeout: 30) {
                        seen = Self.checkState((try? httpBody(port: endpoint, path: "/status.json")) ?? "", job: "check")
                        return seen == wanted
                    }
                    #expect(followed, "\(name): check state \(seen.map(String.init) ?? "none"), wanted \(wanted)\n\(daemon.log)")
                    guard followed else { return }
                    let metrics = (try? httpBody(port: endpoint, path: "/metrics")) ?? ""
                    #expect(metricSample(metrics, "dsari_check_state", job: "check") == Double(wanted), "\(name)")
                }
                statesSeen.insert(wanted)
                nextState = (nextState + 1) % 4
                lastFlip = Date()
            }
            for (name, endpoint) in [("daemon", port), ("exporter", exporter.port)] {
                let before = try Recorded(databasePath: daemon.databasePath)
                let metrics = try httpBody(port: endpoint, path: "/metrics")
                let after = try Recorded(databasePath: daemon.databasePath)
                for job in ["flip", "check", "slow"] {
                    let count = try #require(metricSample(metrics, "dsari_run_count", job: job), "\(name): \(job)\n\(metrics)")
                    #expect(
                        Double(before.finished[job] ?? 0) <= count && count <= Double(after.finished[job] ?? 0),
                        "\(name): \(job) count \(count), database \(before.finished[job] ?? 0)…\(after.finished[job] ?? 0)")
                    countsSeen["\(name) \(job)", default: []].insert(count)
                }
                // The last exit code is the database's (unless a run ended meanwhile).
                if before.finished["flip"] == after.finished["flip"], let code = after.lastExitCode["flip"] {
                    #expect(metricSample(metrics, "dsari_last_run_exit_code", job: "flip") == Double(code), "\(name)")
                }
                // Running runs: each is one the database knows, and none had
                // already finished before the scrape began.
                let running = Self.runningRunIDs(metrics)
                #expect(running.isSubset(of: after.knownRunIDs), "\(name): \(running.subtracting(after.knownRunIDs))")
                #expect(running.isDisjoint(with: before.finishedRunIDs), "\(name): finished runs shown as running")
                runningSeen.formUnion(running.map { "\(name) \($0)" })
            }
            usleep(700_000)
        }
        // Over the minute every count moved many times, in both views.
        for (series, values) in countsSeen {
            #expect(values.count >= minimum(series), "\(series): only \(values.sorted()) over \(Int(Date().timeIntervalSince(began))) s")
        }
        #expect(countsSeen.count == 6)
        #expect(statesSeen.count >= 3, "\(statesSeen)")
        // Running runs appeared and went: many different ones in both views.
        #expect(runningSeen.filter { $0.hasPrefix("daemon ") }.count >= 5, "\(runningSeen)")
        #expect(runningSeen.filter { $0.hasPrefix("exporter ") }.count >= 5, "\(runningSeen)")
    }

    /// The daemon's plan reaches both views: each scheduled job's next run
    /// (none for a job run by triggers only), `next_check` in /status.json,
    /// and the drain at shutdown; after the stop the exporter keeps the last
    /// plan, so the jobs show as overdue.
    @Test(.timeLimit(.minutes(2)))
    func theDaemonsPlanIsExported() throws {
        // "long" runs until the test releases it: the drain lasts as long as the test looks.
        let daemon = try DaemonProcess(config: "")
        let release = daemon.home.url("release")
        try daemon.home.write(
            "etc/dsari.yaml",
            """
            http_listen: "127.0.0.1:0"
            jobs:
              every: {command: [/bin/true], schedule: '* * * * * *'}
              hourly: {command: [/bin/true], schedule: '0 * * * *'}
              manual: {command: [/bin/true]}
              long: {command: [/bin/sh, -c, 'until [ -e \(release) ]; do sleep 0.1; done'], schedule: '* * * * * *'}

            """)
        try daemon.start()
        defer { daemon.stop() }
        _ = eventually(timeout: 30) { daemon.httpPort != nil }
        let port = try #require(daemon.httpPort, "\(daemon.log)")
        let exporter = try ExporterProcess(home: daemon.home)
        defer { exporter.stop() }
        var metrics = ""
        let planned = eventually(timeout: 30) {
            metrics = (try? httpBody(port: exporter.port, path: "/metrics")) ?? ""
            return metrics.contains("dsari_running_run_start_time{job_name=\"long\"")
                && metricSample(metrics, "dsari_job_next_run_timestamp_seconds", job: "every") != nil
        }
        #expect(planned, "\(metrics)\n\(daemon.log)")
        for endpoint in [port, exporter.port] {
            let before = Date().timeIntervalSince1970
            metrics = try httpBody(port: endpoint, path: "/metrics")
            let now = Date().timeIntervalSince1970
            let every = try #require(metricSample(metrics, "dsari_job_next_run_timestamp_seconds", job: "every"), "\(metrics)")
            #expect(every > before - 2 && every < now + 2, "\(every) vs \(before)…\(now)")
            let hourly = try #require(metricSample(metrics, "dsari_job_next_run_timestamp_seconds", job: "hourly"))
            #expect(hourly > now && hourly < now + 3600 + 60)
            #expect(metricSample(metrics, "dsari_job_next_run_timestamp_seconds", job: "manual") == nil)
            #expect(metrics.contains("\ndsari_daemon_shutting_down 0\n"))
            let status = try ConfigFileReader.parse(try httpBody(port: endpoint, path: "/status.json"), format: .json, file: "status").value
            let entry = status["jobs"]?.value.arrayValue?.first { $0["job_name"]?.value.stringValue == "hourly" }
            #expect(entry?["next_check"]?.value == .double(hourly))
        }
        // SIGTERM: "long" drains (shutdown_kill_runs is false); both views say so.
        daemon.signal(SIGTERM)
        for endpoint in [port, exporter.port] {
            #expect(
                eventually(timeout: 30) {
                    ((try? httpBody(port: endpoint, path: "/metrics")) ?? "").contains("\ndsari_daemon_shutting_down 1\n")
                }, "\(daemon.log)")
        }
        let draining = try ConfigFileReader.parse(try httpBody(port: port, path: "/status.json"), format: .json, file: "status").value
        #expect(draining["daemon_shutting_down"]?.value == .bool(true))
        try daemon.home.write("release", "")
        #expect(daemon.waitForExit(timeout: 30) == 0, "\(daemon.log)")
        metrics = try httpBody(port: exporter.port, path: "/metrics")
        #expect(metrics.contains("\ndsari_daemon_shutting_down 0\n"))
        let left = try #require(metricSample(metrics, "dsari_job_next_run_timestamp_seconds", job: "every"))
        // The stopped daemon's plan stays, so the job becomes overdue.
        #expect(
            eventually(timeout: 30) {
                let now = Date().timeIntervalSince1970
                let metrics = (try? httpBody(port: exporter.port, path: "/metrics")) ?? ""
                return metricSample(metrics, "dsari_job_next_run_timestamp_seconds", job: "every") == left && left < now
            }, "the plan changed or stayed in the future: \(left)")
    }
}

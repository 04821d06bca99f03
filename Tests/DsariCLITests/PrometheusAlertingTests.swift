import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// The shipped rules on live data: a real Prometheus (Debian's) scrapes a
/// real dsari-daemon (`http_listen`) every second and evaluates
/// `dashboards/prometheus/dsari-alerts.yml` — a copy whose `for:` and group
/// intervals are shortened, every expression unchanged. Jobs fail, run too
/// long, stop being started after a reload, and Nagios checks go CRITICAL,
/// UNKNOWN and flap: each alert fires for the right job, and resolves once a
/// reload fixes the job; then the daemon drains at shutdown and goes away.
/// The panels of both Grafana dashboards are queried against the same data.
@Suite("Alerting end to end (real Prometheus)")
struct PrometheusAlertingTests {
    /// The parts of the daemon's configuration that a reload breaks or fixes.
    enum Fault: String, CaseIterable {
        case failing, slow, blocked, critical, unknown, flapping

        /// The alerts this fault must raise, as "alertname/job_name".
        var alerts: Set<String> {
            switch self {
            case .failing: ["DsariJobLastRunFailed/failing", "DsariJobFailureRatioHigh/failing"]
            case .slow: ["DsariRunTooLong/slow"]
            case .blocked: ["DsariJobOverdue/blocked"]
            case .critical: ["DsariCheckCritical/crit"]
            case .unknown: ["DsariCheckUnknown/unknown"]
            case .flapping: ["DsariCheckFlapping/flappy"]
            }
        }
    }

    static func config(port: UInt16, faults: Set<Fault>) -> String {
        func broken(_ fault: Fault, _ bad: String, _ good: String) -> String { faults.contains(fault) ? bad : good }
        let perfdata = "| time=0.5s;1;2;0;10 size=10KB;;;0 load=1.5;@0:1;~:10 errors=3c use=50%;80;90"
        return """
            http_listen: "127.0.0.1:\(port)"
            concurrency_groups: {hog: {max: 1}}
            jobs:
              ok: {command: [/bin/true], schedule: '* * * * * *'}
              failing: {command: [/bin/sh, -c, '\(broken(.failing, "exit 3", "exit 0"))'], schedule: '\(broken(.failing, "* * * * * */2", "* * * * * *"))'}
              slow: {command: [/bin/sh, -c, '\(broken(.slow, "sleep 12", "true"))'], schedule: '* * * * * *'}
              hog: {command: [/bin/sleep, '600'], schedule: '* * * * * *', concurrency_groups: [hog]}
              blocked: {command: [/bin/true], schedule: '* * * * * *', concurrency_groups: [\(broken(.blocked, "hog", "free"))]}
              manual: {command: [/bin/true]}
              crit:
                command: [/bin/sh, -c, '\(broken(.critical, "echo \"CRITICAL - down \(perfdata)\"; exit 2", "echo \"OK - up \(perfdata)\""))']
                schedule: '* * * * * *'
                nagios_check: true
                max_check_attempts: 2
              unknown:
                command: [/bin/sh, -c, '\(broken(.unknown, "echo \"UNKNOWN - cannot tell\"; exit 3", "echo OK"))']
                schedule: '* * * * * *'
                nagios_check: true
              flappy:
                command: [/bin/sh, -c, '\(broken(.flapping, "s=$(( $(date +%s) % 2 * 2 )); echo \"STATE $s\"; exit $s", "echo OK"))']
                schedule: '* * * * * *'
                nagios_check: true

            """
    }

    @Test(.timeLimit(.minutes(10)))
    func everyAlertFiresAndResolvesOnLiveData() throws {
        let directory = try TemporaryDirectory(prefix: "dsari-alerting")
        defer { directory.remove() }
        let port = try freeLoopbackPort()
        var faults = Set(Fault.allCases).subtracting([.blocked])
        let daemon = try DaemonProcess(config: Self.config(port: port, faults: faults))
        try daemon.start()
        defer { daemon.stop() }

        // The shipped rules with every `for:` and group interval shortened.
        let rules = try String(contentsOfFile: DashboardTests.prometheusDirectory + "/dsari-alerts.yml", encoding: .utf8)
        let shortened = rules.replacingOccurrences(of: #"(?m)^(\s+)for: \S+$"#, with: "$1for: 2s", options: .regularExpression)
            .replacingOccurrences(of: #"(?m)^(\s+)interval: \S+$"#, with: "$1interval: 1s", options: .regularExpression)
            // A few slow scrapes on a busy machine are not a dead or slow exporter.
            .components(separatedBy: "- alert: ").map { rule in
                rule.hasPrefix("DsariExporter") ? rule.replacingOccurrences(of: "for: 2s", with: "for: 10s") : rule
            }.joined(separator: "- alert: ")
        #expect(shortened.components(separatedBy: "for: 2s").count > 8)
        #expect(shortened.components(separatedBy: "for: 10s").count == 3)
        _ = try directory.write("dsari-alerts.yml", shortened)
        // The documented per-job override: "slow" is too long after 5 s.
        _ = try directory.write(
            "overrides.yml",
            """
            groups:
              - name: dsari-overrides
                rules:
                  - record: job_name:dsari_run_duration_threshold_seconds:override
                    expr: vector(5)
                    labels: {job_name: slow}

            """)
        // A scrape job not called dsari*: nothing may depend on its name.
        let configFile = try directory.write(
            "prometheus.yml",
            """
            global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
            rule_files: [dsari-alerts.yml, overrides.yml]
            scrape_configs:
              - job_name: agents
                static_configs: [{targets: ['127.0.0.1:\(port)']}]

            """)
        let prometheus = try PrometheusServer(directory: directory, configFile: configFile)
        defer { prometheus.stop() }

        func reload() throws {
            _ = try daemon.home.write("etc/dsari.yaml", Self.config(port: port, faults: faults))
            daemon.signal(SIGHUP)
        }
        // A job that was started every second stops being started: a reload
        // puts it behind a concurrency group that "hog" holds.
        #expect(eventually(timeout: 30) { daemon.log.contains("job=blocked") }, "\(daemon.log)")
        faults.insert(.blocked)
        try reload()

        let expected = Fault.allCases.reduce(into: Set<String>()) { $0.formUnion($1.alerts) }
        // Alerts that must never fire: the job and check alerts for the
        // healthy jobs, a failure ratio or a failed run for a Nagios check,
        // "overdue" for a job that is running, and the shutdown alerts.
        func unexpected(_ firing: Set<String>) -> Set<String> {
            firing.subtracting(expected).filter { alert in
                // A flapping check is CRITICAL every other second: its own alert may fire.
                alert != "DsariCheckCritical/flappy"
            }
        }
        var fired = Set<String>()
        var stray = Set<String>()
        let breaking = Date()
        while fired != expected && Date().timeIntervalSince(breaking) < 180 {
            let firing = try prometheus.alerts()
            stray.formUnion(unexpected(firing))
            fired.formUnion(firing.intersection(expected))
            usleep(1_000_000)
        }
        #expect(fired == expected, "never fired: \(expected.subtracting(fired).sorted())\n\(daemon.log.suffix(3000))")
        // The failure ratio resolves once the good runs outweigh the failures
        // of the breaking phase: the longer that took, the longer this may.
        let fixingBudget = max(150, Date().timeIntervalSince(breaking) + 60)
        // Everything is broken at once now: the dashboards have data for every panel.
        try checkDashboards(prometheus)

        // One reload fixes every job; every alert resolves.
        faults = []
        try reload()
        var left = expected
        let fixing = Date()
        while !left.isEmpty && Date().timeIntervalSince(fixing) < fixingBudget {
            let firing = try prometheus.alerts()
            stray.formUnion(unexpected(firing))
            left = expected.intersection(firing.union(try prometheus.alerts(state: "pending")))
            usleep(1_000_000)
        }
        #expect(left.isEmpty, "never resolved: \(left.sorted())")
        #expect(stray.isEmpty, "fired but should not have: \(stray.sorted())")

        // Shutdown: "hog" keeps running, so the daemon drains — and says so.
        daemon.signal(SIGTERM)
        #expect(
            eventually(timeout: 30) { (try? prometheus.alerts().contains("DsariDaemonDraining/")) ?? false },
            "\(daemon.log.suffix(2000))")
        #expect(try prometheus.alerts().filter { $0.hasPrefix("DsariJobOverdue/") }.isEmpty, "no overdue alert while draining")
        // The drained daemon stops; Prometheus can no longer scrape it.
        let store = try SQLiteRunStore(path: daemon.databasePath, readOnly: true)
        for run in try store.runningRuns() {
            if case .int(let pid)? = run.runData["pid"]?.value { kill(Int32(pid), SIGKILL) }
        }
        #expect(daemon.waitForExit(timeout: 20) == 0, "\(daemon.log.suffix(2000))")
        #expect(
            eventually(timeout: 60) { (try? prometheus.alerts().contains("DsariExporterDown/")) ?? false },
            "\(prometheus.log.suffix(2000))")
    }

    /// Every panel query and variable query of both dashboards, as an
    /// instant query with the variables as `.*`: none errors, and each
    /// returns data but those of performance data by unit (a host may
    /// have no datum of a unit).
    func checkDashboards(_ prometheus: PrometheusServer) throws {
        var empty: [String] = []
        var errors: [String] = []
        var count = 0
        for file in DashboardTests.dashboardFiles {
            let dashboard = try DashboardTests.dashboard(file)
            let names = DashboardTests.variables(dashboard).compactMap { $0["name"] as? String }
            for (place, query) in DashboardTests.queries(dashboard) {
                let promQL = try #require(DashboardTests.promQL(query, variables: names))
                count += 1
                switch prometheus.query(promQL) {
                case .failure(let error): errors.append("\(file): \(place): \(error)")
                case .success(let series) where series.isEmpty && !place.hasPrefix("Performance data"):
                    empty.append("\(file): \(place): \(promQL)")
                case .success: break
                }
            }
        }
        #expect(count > 40)
        #expect(errors.isEmpty, "\(errors)")
        #expect(empty.isEmpty, "no data: \(empty)")
    }
}

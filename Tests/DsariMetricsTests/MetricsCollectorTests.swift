import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

@testable import DsariMetrics

/// The exporter's families against dsari 2.0's own computation
/// (`Tests/Oracle/metrics_oracle.py`, dsari's exporter code path) on a real
/// SQLite file, and the exposition rules.
@Suite("MetricsCollector")
struct MetricsCollectorTests {
    /// A store with `count` random finished runs spread over three jobs.
    func filledStore(_ directory: TemporaryDirectory, count: Int, seed: UInt64) throws -> SQLiteRunStore {
        let store = try SQLiteRunStore(path: directory.url("dsari.sqlite3"))
        var random = SeededGenerator(state: seed)
        var runs: [RunRecord] = []
        var time = 1_700_000_000.0
        for index in 0..<count {
            time += Double(random.next() % 100_000) / 997
            let schedule = time
            let start = schedule + Double(random.next() % 5_000_000) / 1_000_003
            let stop = start + Double(random.next() % 900_000_000) / 999_983
            let job = ["alpha", "beta", "gamma \"quoted\""][index % 3]
            runs.append(
                RunRecord(
                    jobName: job, runID: "r\(index)", scheduleTime: schedule, startTime: start, stopTime: stop,
                    exitCode: [0, 0, 1, 143, 0][Int(random.next() % 5)]))
        }
        try store.recordFinished(runs)
        return store
    }

    func config(_ directory: TemporaryDirectory, jobs: [String]) -> Config {
        var config = Config(configDirectory: directory.path, dataDir: directory.path, raw: ConfigNode(.mapping([])))
        config.database = DatabaseConfig(type: "sqlite3", file: directory.url("dsari.sqlite3"))
        for name in jobs { config.jobs[name] = Job(name: name, command: ["true"]) }
        return config
    }

    func oracle(database: String, jobs: [String]) throws -> String {
        let data = try OracleScript.run("metrics_oracle.py", [database, jobs.joined(separator: ",")], environment: ["TZ": "UTC"])
        return String(decoding: data, as: UTF8.self)
    }

    /// Our exposition restricted to the families dsari computes from runs.
    func dsariFamilies(_ text: String) -> String {
        let prefixes = ["dsari_run_", "dsari_last_run_"]
        var keep = false
        var lines: [Substring] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                keep = prefixes.contains { name.hasPrefix($0) }
            } else if !line.hasPrefix("#") {
                let name = line.prefix { $0 != "{" && $0 != " " }
                keep = prefixes.contains { name.hasPrefix($0) }
            }
            if keep { lines.append(line) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func familiesEqualDsarisComputation() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try filledStore(directory, count: 600, seed: 7)
        // Plain job names only: dsari does not escape label values.
        let jobs = ["alpha", "beta", "idle"]
        let collector = MetricsCollector(config: config(directory, jobs: jobs))
        let ours = dsariFamilies(try collector.collect())
        let theirs = try oracle(database: directory.url("dsari.sqlite3"), jobs: jobs)
        #expect(ours == theirs)
        // A job without runs: zero counts and nothing else.
        #expect(ours.contains("dsari_run_count{job_name=\"idle\"} 0\n"))
        #expect(!ours.contains("dsari_last_run_exit_code{job_name=\"idle\"}"))
    }

    /// An exporter started before the daemon made its database: the first
    /// scrape finds none, and the next one — within `job_cache_time` —
    /// must look again instead of serving "no runs" for two minutes (seen
    /// as a flaky LiveMetricsTests.theDaemonsPlanIsExported).
    @Test func aDatabaseMadeAfterTheFirstScrapeIsReadAtTheNext() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var options = MetricsCollector.Options()
        options.jobCacheTime = 120  // the exporter's default
        let collector = MetricsCollector(config: config(directory, jobs: ["alpha"]), options: options)
        #expect(try collector.collect().contains("dsari_run_count{job_name=\"alpha\"} 0\n"))
        _ = try filledStore(directory, count: 3, seed: 1)
        #expect(try collector.collect().contains("dsari_run_count{job_name=\"alpha\"} 1\n"))
    }

    @Test func newRunsAreAddedIncrementally() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try filledStore(directory, count: 30, seed: 1)
        let jobs = ["alpha", "beta"]
        let collector = MetricsCollector(config: config(directory, jobs: jobs))
        _ = try collector.collect()
        try store.recordFinished([
            RunRecord(jobName: "alpha", runID: "late", scheduleTime: 1.8e9, startTime: 1.8e9 + 0.25, stopTime: 1.8e9 + 2, exitCode: 7)
        ])
        let ours = dsariFamilies(try collector.collect())
        #expect(ours == (try oracle(database: directory.url("dsari.sqlite3"), jobs: jobs)))
        #expect(ours.contains("dsari_last_run_exit_code{job_name=\"alpha\"} 7\n"))
    }

    /// A long-lived collector keeps seeing new runs once a check result has
    /// been read (issue: a read statement left after SQLITE_ROW held its read
    /// transaction open, pinning the WAL snapshot, and every later scrape
    /// showed the database as it was).
    @Test func checkResultsDoNotFreezeLaterScrapes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteRunStore(path: directory.url("dsari.sqlite3"))
        let collector = MetricsCollector(config: config(directory, jobs: ["tick", "check"]))
        func checkRun(_ index: Int, state: Int) -> RunRecord {
            let start = 1.9e9 + Double(index)
            return RunRecord(
                jobName: "check", runID: "c\(index)", scheduleTime: start, startTime: start, stopTime: start + 0.5, exitCode: state,
                runData: ["nagios": ["current_state": .int(Int64(state)), "plugin_output": .string("state \(state)")]])
        }
        for round in 1...5 {
            try store.recordFinished([
                RunRecord(
                    jobName: "tick", runID: "t\(round)", scheduleTime: 1.9e9 + Double(round), startTime: 1.9e9 + Double(round),
                    stopTime: 1.9e9 + Double(round) + 0.1, exitCode: round % 2),
                checkRun(round, state: round % 4),
            ])
            try store.recordStart(RunRecord(jobName: "tick", runID: "running\(round)", scheduleTime: 2e9, startTime: 2e9 + Double(round)))
            let text = try collector.collect()
            #expect(text.contains("dsari_run_count{job_name=\"tick\"} \(round)\n"), "round \(round): \(text)")
            #expect(text.contains("dsari_last_run_exit_code{job_name=\"tick\"} \(round % 2)\n"), "round \(round)")
            #expect(text.contains("dsari_check_state{job_name=\"check\"} \(round % 4)\n"), "round \(round)")
            #expect(text.contains("run_id=\"running\(round)\""), "round \(round): the running run appears")
            #expect(!text.contains("run_id=\"running\(round - 1)\""), "round \(round): the finished one goes")
            let status = try collector.status()
            let check = status["jobs"]?.value.arrayValue?.first { $0["job_name"]?.value.stringValue == "check" }
            #expect(check?["plugin_output"]?.value.stringValue == "state \(round % 4)", "round \(round)")
            // The running run ends (recorded under a job the collector does not list).
            try store.recordFinished([
                RunRecord(jobName: "elsewhere", runID: "running\(round)", scheduleTime: 2e9, startTime: 2e9, stopTime: 2e9, exitCode: 0)
            ])
        }
    }

    /// Quantiles worked out by hand: durations 4, 1, 3, 2 s (recorded in that
    /// order), linear interpolation between closest ranks of the sorted list.
    @Test func quantilesSumsAndCountsOfKnownRuns() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteRunStore(path: directory.url("dsari.sqlite3"))
        try store.recordFinished(
            [4.0, 1, 3, 2].enumerated().map { index, duration in
                let start = 1_700_000_000.25 + [0.0, 100, 250, 200][index]
                return RunRecord(
                    jobName: "known", runID: "k\(index)", scheduleTime: start - 0.25, startTime: start, stopTime: start + duration,
                    exitCode: index == 1 ? 2 : 0)
            })
        var options = MetricsCollector.Options()
        options.quantiles = [0, 0.5, 0.75, 1]
        let text = try MetricsCollector(config: config(directory, jobs: ["known"]), options: options).collect()
        for (quantile, value) in [("0.0", "1.0"), ("0.5", "2.5"), ("0.75", "3.25"), ("1.0", "4.0")] {
            #expect(text.contains("dsari_run_duration_seconds{job_name=\"known\",quantile=\"\(quantile)\"} \(value)\n"), "\(text)")
            #expect(text.contains("dsari_run_latency_seconds{job_name=\"known\",quantile=\"\(quantile)\"} 0.25\n"))
        }
        #expect(text.contains("dsari_run_duration_seconds_sum{job_name=\"known\"} 10.0\n"))
        #expect(text.contains("dsari_run_duration_seconds_count{job_name=\"known\"} 4\n"))
        #expect(text.contains("dsari_run_latency_seconds_sum{job_name=\"known\"} 1.0\n"))
        #expect(text.contains("dsari_run_success_count{job_name=\"known\"} 3\n"))
        #expect(text.contains("dsari_run_failure_count{job_name=\"known\"} 1\n"))
        // The last run is the latest stop (k2: started 250 s in, ran 3 s), not the latest recorded (k3).
        #expect(text.contains("dsari_last_run_stop_time{job_name=\"known\"} 1700000253.25\n"))
        #expect(text.contains("dsari_job_run_duration_seconds_bucket{job_name=\"known\",le=\"1.0\"} 1\n"))
        #expect(text.contains("dsari_job_run_duration_seconds_bucket{job_name=\"known\",le=\"5.0\"} 4\n"))
    }

    /// Runs pruned and the database vacuumed renumber the rows: the
    /// collector notices (the largest rowid went down) and reads it all again.
    @Test func aVacuumedTableIsReadAgain() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try filledStore(directory, count: 30, seed: 1)
        let collector = MetricsCollector(config: config(directory, jobs: ["alpha"]))
        #expect(try collector.collect().contains("dsari_run_count{job_name=\"alpha\"} 10\n"))
        // As a database dsari itself made (no indexes of ours): there VACUUM renumbers rows.
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall():
                db.execute('DROP INDEX "%s"' % name)
            db.execute("DELETE FROM runs WHERE run_id IN ('r0', 'r3', 'r6', 'r1', 'r2')")
            db.commit()
            db.execute("VACUUM")
            print(db.execute("SELECT max(rowid) FROM runs").fetchone()[0])
            """
        let sqlite = try BinaryRunner(path: "/usr/bin/python3").run(["-c", script, directory.url("dsari.sqlite3")])
        #expect(sqlite.standardOutput == "25\n", "rows renumbered: \(sqlite.standardOutput)")
        #expect(sqlite.status == 0, "\(sqlite.standardError)")
        try store.recordFinished([
            RunRecord(jobName: "alpha", runID: "late", scheduleTime: 1.8e9, startTime: 1.8e9 + 0.25, stopTime: 1.8e9 + 2, exitCode: 7)
        ])
        // 10 − 3 pruned + 1 new; without the check it would still say 10.
        #expect(try collector.collect().contains("dsari_run_count{job_name=\"alpha\"} 8\n"))
    }

    /// dsari's --job-cache-time: finished runs are read at most that often;
    /// running runs always; /-/healthy always reads.
    @Test func jobCacheTimeHoldsFinishedRunsButNotRunningOnes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try filledStore(directory, count: 30, seed: 1)
        var options = MetricsCollector.Options()
        options.jobCacheTime = 3600
        let collector = MetricsCollector(config: config(directory, jobs: ["alpha"]), options: options)
        let before = try collector.collect()
        #expect(before.contains("dsari_run_count{job_name=\"alpha\"} 10\n"))
        try store.recordFinished([
            RunRecord(jobName: "alpha", runID: "late", scheduleTime: 1.8e9, startTime: 1.8e9 + 0.25, stopTime: 1.8e9 + 2, exitCode: 7)
        ])
        try store.recordStart(RunRecord(jobName: "alpha", runID: "now", scheduleTime: 1.9e9, startTime: 1.9e9 + 1))
        let cached = try collector.collect()
        #expect(cached.contains("dsari_run_count{job_name=\"alpha\"} 10\n"))
        #expect(cached.contains("dsari_running_run_start_time{job_name=\"alpha\",run_id=\"now\"} "))
        #expect(collector.isHealthy())
        #expect(try collector.collect().contains("dsari_run_count{job_name=\"alpha\"} 11\n"))
        // Without a cache time, every scrape reads what is new.
        let fresh = MetricsCollector(config: config(directory, jobs: ["alpha"]))
        _ = try fresh.collect()
        try store.recordFinished([
            RunRecord(jobName: "alpha", runID: "later", scheduleTime: 1.8e9, startTime: 1.8e9 + 1, stopTime: 1.8e9 + 3, exitCode: 0)
        ])
        #expect(try fresh.collect().contains("dsari_run_count{job_name=\"alpha\"} 12\n"))
    }

    @Test func labelValuesAreEscapedAndRunningRunsListed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try filledStore(directory, count: 9, seed: 3)
        try store.recordStart(RunRecord(jobName: "beta", runID: "now-running", scheduleTime: 1.9e9, startTime: 1.9e9 + 0.5))
        let collector = MetricsCollector(config: config(directory, jobs: ["beta", "gamma \"quoted\""]))
        let text = try collector.collect()
        #expect(text.contains("dsari_run_count{job_name=\"gamma \\\"quoted\\\"\"} 3\n"))
        #expect(text.contains("dsari_running_run_start_time{job_name=\"beta\",run_id=\"now-running\"} 1900000000.5\n"))
        #expect(text.contains("dsari_version_info{version=\"\(DsariVersion.string)\"} 1\n"))
        // Only configured jobs appear.
        #expect(!text.contains("job_name=\"alpha\""))
        var options = MetricsCollector.Options()
        options.includeRunning = false
        let quiet = try MetricsCollector(config: config(directory, jobs: ["beta"]), options: options).collect()
        #expect(!quiet.contains("dsari_running_run"))
    }

    @Test func histogramIsCumulativeAndConsistent() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try filledStore(directory, count: 90, seed: 11)
        let text = try MetricsCollector(config: config(directory, jobs: ["alpha"])).collect()
        let buckets = text.split(separator: "\n").filter { $0.hasPrefix("dsari_job_run_duration_seconds_bucket{") }
        let counts = buckets.compactMap { Int($0.split(separator: " ").last ?? "") }
        #expect(counts.count == MetricsCollector.Options().buckets.count + 1)
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(counts.last == 30)
        #expect(text.contains("# TYPE dsari_job_run_duration_seconds histogram\n"))
        #expect(text.contains("dsari_job_run_duration_seconds_count{job_name=\"alpha\"} 30\n"))
    }

    @Test func bucketsComeFromTheConfiguration() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try filledStore(directory, count: 9, seed: 2)
        var configuration = config(directory, jobs: ["alpha"])
        configuration.metricsDurationBuckets = [1, 600]
        let text = try MetricsCollector(config: configuration).collect()
        let bounds = text.split(separator: "\n").filter { $0.hasPrefix("dsari_job_run_duration_seconds_bucket{") }
            .compactMap { $0.split(separator: "le=\"").last?.split(separator: "\"").first }
        #expect(bounds == ["1.0", "600.0", "+Inf"])
    }

    @Test func noDatabaseYetMeansZeroCounts() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let text = try MetricsCollector(config: config(directory, jobs: ["new"])).collect()
        #expect(text.contains("dsari_run_count{job_name=\"new\"} 0\n"))
        #expect(!FileManager.default.fileExists(atPath: directory.url("dsari.sqlite3")))
    }

    @Test func promtoolAcceptsTheExposition() throws {
        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = try #require(promtool, "promtool (Debian's prometheus package) is needed; script/test installs it")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try filledStore(directory, count: 30, seed: 5)
        try store.recordStart(RunRecord(jobName: "beta", runID: "x", scheduleTime: 1.9e9, startTime: 1.9e9))
        // A check result with performance data, as the daemon stores it.
        let nagios: ConfigValue = [
            "current_state": 1, "plugin_output": "DISK WARNING", "long_plugin_output": "", "performance_data": "/=2MB;1;4;0;9",
            "perfdata": [
                [
                    "label": "/", "value": 2.0, "uom": "MB", "warn": "1", "crit": "4", "min": 0.0, "max": 9.0, "base_value": 2097152.0,
                    "base_uom": "B",
                ]
            ],
        ]
        try store.recordFinished([
            RunRecord(
                jobName: "alpha", runID: "check", scheduleTime: 1.95e9, startTime: 1.95e9, stopTime: 1.95e9 + 1, exitCode: 1,
                runData: ["nagios": nagios])
        ])
        let text = try MetricsCollector(config: config(directory, jobs: ["alpha", "beta", "gamma \"quoted\""])).collect()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // dsari's counter names are a compatibility contract: promtool's two
        // naming lints about them are expected (see NOTES.md); nothing else.
        let problems = report.split(separator: "\n").filter {
            !$0.contains("should have \"_total\" suffix") && !$0.contains("should not have \"_count\" suffix")
        }
        #expect(problems.isEmpty, "\(report)")
        #expect(text.contains("dsari_check_state{job_name=\"alpha\"} 1\n"))
        #expect(text.contains("dsari_check_perfdata_max{job_name=\"alpha\",label=\"/\",unit=\"B\"} 9437184.0\n"))
    }
}

import DsariTestSupport
import Foundation
import Testing

extension ReliabilityTests {
    /// A daemon's memory does not grow with the runs it has done: 100 jobs
    /// every second, RSS after a warm-up against RSS thousands of runs later
    /// (9,000 in CI, 100,000 in reliability mode). `DSARI_PRODUCTS_DIR`
    /// points it at another build: script/reliability runs it on the release
    /// build, where a leak of about 1.7 KB per run once showed and the debug
    /// build had none.
    @Suite("memory")
    struct Memory {
        @Test func residentMemoryIsFlatOverThousandsOfRuns() throws {
            let home = try TemporaryDirectory(prefix: "dsari-memory")
            defer { home.remove() }
            let jobs = (0..<100).map { "  job\($0): {command: [/bin/true], schedule: '* * * * * *'}" }
            let daemon = try DaemonProcess(config: "jobs:\n" + jobs.joined(separator: "\n") + "\n", home: home)
            defer { daemon.stop(keepHome: true) }
            try daemon.start()
            let pid = daemon.process.processIdentifier
            // Until `count` runs are recorded (at 100 a second, with room for a slow machine).
            func waitForRuns(_ count: Int) throws -> Int {
                let deadline = Date().addingTimeInterval(Double(count) / 100 * 3 + 60)
                var recorded = 0
                while Date() < deadline && daemon.process.isRunning {
                    recorded = try ExternalSQLite.finishedRunCount(daemon.databasePath)
                    if recorded >= count { break }
                    sleep(1)
                }
                return recorded
            }
            // Warm-up: the SQLite page cache, the allocator's arenas, every job's cached previous runs.
            let warmUp = 2_000
            let warmedRuns = try waitForRuns(warmUp)
            try #require(warmedRuns >= warmUp, "only \(warmedRuns) runs recorded during the warm-up")
            let warmRSS = try #require(SystemProbe.residentKiB(pid))
            let target = warmedRuns + ReliabilityScale.memoryRuns
            var samples: [(runs: Int, rss: Int)] = [(warmedRuns, warmRSS)]
            var recorded = warmedRuns
            while recorded < target {
                recorded = try waitForRuns(min(target, recorded + 1_000))
                guard let rss = SystemProbe.residentKiB(pid), recorded > samples.last?.runs ?? 0 else { break }
                samples.append((recorded, rss))
            }
            try #require(recorded >= target, "only \(recorded - warmedRuns) of \(ReliabilityScale.memoryRuns) runs after the warm-up")
            let grown = (samples.map(\.rss).max() ?? 0) - warmRSS
            let perThousand = samples.map { "\($0.runs):\($0.rss / 1024)" }.joined(separator: " ")
            print("memory: RSS after \(warmedRuns) runs \(warmRSS) KiB; then (runs:MiB) \(perThousand); grew \(grown) KiB")
            #expect(grown <= 4_096, "RSS grew \(grown) KiB over \(recorded - warmedRuns) runs (\(warmRSS) KiB after the warm-up)")
            ReliabilityReport.record(
                test: "memory", load: "100 jobs/s, \(recorded - warmedRuns) runs after \(warmedRuns)", faults: "-", runsLost: 0,
                crashes: daemon.process.isRunning ? 0 : 1,
                notes: "RSS \(warmRSS / 1024)→\((samples.map(\.rss).max() ?? 0) / 1024) MiB (+\(grown) KiB)")
        }
    }
}

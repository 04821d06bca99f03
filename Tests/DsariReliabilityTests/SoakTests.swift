import DsariTestSupport
import Foundation
import Testing

extension ReliabilityTests {
    /// Many jobs for a long time (reliability mode only): memory and file
    /// descriptors stay flat, and every run is recorded once.
    @Suite("soak")
    struct Soak {
        @Test(.enabled(if: ReliabilityScale.isFull, "the soak runs in reliability mode only (DSARI_RELIABILITY=full)"))
        func thousandJobsForTenMinutes() throws {
            let home = try TemporaryDirectory(prefix: "dsari-soak")
            defer { home.remove() }
            let ledger = home.url("ledger")
            let port = try freeLoopbackPort()
            let jobCount = ReliabilityScale.soakJobs
            let minutes = ReliabilityScale.soakMinutes
            // Every job once a minute at its hashed second: about 17 runs a second for 1000 jobs.
            let jobs = (0..<jobCount).map { index in
                index % 10 == 0
                    ? "  check\(index): {command: [/bin/sh, -c, 'echo \"OK - fine | t=0.1s;1;2\"; echo \"$RUN_ID\" >> \"$LEDGER\"'], schedule: '* * * * *', nagios_check: true}"
                    : "  job\(index): {command: [/bin/sh, -c, 'echo \"$RUN_ID\" >> \"$LEDGER\"'], schedule: '* * * * *'}"
            }
            let daemon = try DaemonProcess(
                config: "http_listen: \"127.0.0.1:\(port)\"\nenvironment: {LEDGER: \"\(ledger)\"}\njobs:\n" + jobs.joined(separator: "\n")
                    + "\n",
                home: home)
            defer { daemon.stop(keepHome: true) }
            try daemon.start()
            #expect(eventually(timeout: 60) { daemon.log.contains("dsari-daemon started") && HTTPLoad.answersOK(port, "/metrics") })
            let pid = daemon.process.processIdentifier
            var samples: [(minute: Int, rss: Int, fds: Int, runs: Int)] = []
            let started = Date()
            for minute in 0...minutes {
                while Date().timeIntervalSince(started) < Double(minute * 60) { usleep(200_000) }
                let scraped = HTTPLoad.answersOK(port, "/metrics")
                let sample = (
                    minute, SystemProbe.residentKiB(pid) ?? 0, SystemProbe.openDescriptors(pid) ?? 0, SystemProbe.ledger(ledger).count
                )
                samples.append(sample)
                print(
                    "soak minute \(minute): RSS \(sample.1) KiB, fds \(sample.2), runs so far \(sample.3), scrape \(scraped ? "ok" : "FAILED")"
                )
                #expect(scraped)
            }
            daemon.signal(SIGTERM)
            #expect(daemon.waitForExit(timeout: 120) == 0)
            let history = try HistorySnapshot(databasePath: daemon.databasePath)
            let counts = history.finishedCounts
            let ledgerIDs = SystemProbe.ledger(ledger)
            let lost = ledgerIDs.filter { counts[$0] != 1 }.count
            let directories = SystemProbe.runDirectories(dataDirectory: daemon.dataDirectory)
            let withoutRow = directories.filter { counts[$0] == nil }.count
            let runsPerJob = Dictionary(grouping: history.finished, by: \.jobName).mapValues(\.count)
            let starved = (0..<jobCount).filter { (runsPerJob[$0 % 10 == 0 ? "check\($0)" : "job\($0)"] ?? 0) < minutes - 1 }.count
            // Flat: after the first minute's warm-up, the later samples stay near it.
            let settled = samples.filter { $0.minute >= 2 }
            let firstRSS = settled.first?.rss ?? 0
            let lastRSS = settled.suffix(3).map(\.rss).max() ?? 0
            let fds = settled.map(\.fds)
            print(
                "soak: \(jobCount) jobs, \(minutes) min, \(history.finished.count) runs, \(ledgerIDs.count) in the ledger, lost \(lost), "
                    + "directories without a row \(withoutRow), jobs with fewer than \(minutes - 1) runs \(starved); RSS \(firstRSS) → "
                    + "\(lastRSS) KiB; fds \(fds.min() ?? 0)…\(fds.max() ?? 0)")
            #expect(lost == 0 && withoutRow == 0 && starved == 0)
            #expect(history.running.isEmpty)
            #expect(lastRSS <= firstRSS + firstRSS / 5 + 16_384, "RSS grew from \(firstRSS) to \(lastRSS) KiB")
            #expect((fds.max() ?? 0) - (fds.min() ?? 0) <= 64, "open descriptors went from \(fds.min() ?? 0) to \(fds.max() ?? 0)")
            ReliabilityReport.record(
                test: "soak", load: "\(jobCount) jobs × \(minutes) min, \(history.finished.count) runs", faults: "-",
                runsLost: lost + withoutRow,
                crashes: 0, notes: "RSS \(firstRSS / 1024)→\(lastRSS / 1024) MiB, fds \(fds.min() ?? 0)…\(fds.max() ?? 0)")
        }
    }
}

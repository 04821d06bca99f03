import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

extension ReliabilityTests {
    /// The database, the disk and the configuration failing under a running
    /// daemon: runs keep their output, results are written once the
    /// database is back, and the daemon goes on — nothing silently dropped.
    @Suite("fault injection")
    struct FaultInjection {
        static let done = #"echo "$RUN_ID" >> "$LEDGER""#

        /// `count` jobs every second that print a line and append to the ledger.
        static func tickers(_ count: Int, ledger: String, extra: String = "") -> String {
            let jobs = (0..<count).map { "  tick\($0): {command: [/bin/sh, -c, 'echo \"out $RUN_ID\"; \(done)'], schedule: '* * * * * *'}" }
            return "environment: {LEDGER: \"\(ledger)\"}\n\(extra)jobs:\n" + jobs.joined(separator: "\n") + "\n"
        }

        /// A small tmpfs for a disk fault. The tests that need one are skipped
        /// (reported as skipped by the test runner, with the reason) where
        /// mounting is not permitted; a mount that fails anyway fails the test.
        static func tmpfs(at path: String, size: String) throws -> TemporaryMount {
            try TemporaryMount.tmpfs(at: path, size: size).get()
        }

        static let needsTmpfs = ConditionTrait.enabled(
            if: TemporaryMount.isPermitted, "mount -t tmpfs is not permitted here (the disk fault tests need root)")

        /// Ledger runs missing from `runs` once the database takes writes again.
        static func lostRuns(_ daemon: DaemonProcess, ledger: [String], database: String? = nil, timeout: Double = 40) -> [String] {
            var missing: [String] = ledger
            _ = eventually(timeout: timeout) {
                let counts = (try? HistorySnapshot(databasePath: database ?? daemon.databasePath))?.finishedCounts ?? [:]
                missing = ledger.filter { counts[$0] != 1 }
                return missing.isEmpty
            }
            return missing
        }

        @Test func databaseLockedByAnotherProcess() throws {
            let home = try TemporaryDirectory(prefix: "dsari-locked")
            let ledger = home.url("ledger")
            let daemon = try DaemonProcess(config: Self.tickers(4, ledger: ledger), home: home)
            defer { daemon.stop() }
            try daemon.start()
            #expect(eventually { SystemProbe.ledger(ledger).count >= 8 })
            let seconds = ReliabilityScale.lockSeconds
            let before = SystemProbe.ledger(ledger).count
            let locker = try ExternalSQLite.holdWriteLock(daemon.databasePath, seconds: seconds)
            locker.waitUntilExit()
            let during = SystemProbe.ledger(ledger).count - before
            // Runs went on while the database was locked (4 jobs a second).
            #expect(during >= Int(seconds) * 2, "only \(during) runs while the database was locked")
            #expect(
                daemon.log.contains("cannot write runs to the database; kept in order and retried every 5 s"), "\(daemon.log.suffix(3000))")
            let ledgerAtRelease = SystemProbe.ledger(ledger)
            let lost = Self.lostRuns(daemon, ledger: ledgerAtRelease)
            #expect(lost.isEmpty, "runs not recorded after the lock: \(lost.prefix(5))")
            #expect(daemon.log.contains("database writable again"))
            // Their output was kept all along.
            let history = try HistorySnapshot(databasePath: daemon.databasePath)
            let missingOutput = history.finished.filter { run in
                let path = daemon.dataDirectory + "/runs/\(run.jobName)/\(run.runID)/output.txt"
                return (try? String(contentsOfFile: path, encoding: .utf8)) != "out \(run.runID)\n"
            }
            #expect(missingOutput.isEmpty, "\(missingOutput.count) runs without their output")
            #expect(try ExternalSQLite.integrityCheck(daemon.databasePath) == "ok")
            #expect(daemon.process.isRunning)
            ReliabilityReport.record(
                test: "database locked", load: "4 jobs/s", faults: "write lock held \(Int(seconds)) s by another process",
                runsLost: lost.count, crashes: daemon.process.isRunning ? 0 : 1,
                notes: "\(during) runs during the lock, written after it (retry every 5 s)")
        }

        @Test(needsTmpfs) func databaseDiskFull() throws {
            let home = try TemporaryDirectory(prefix: "dsari-dbfull")
            defer { home.remove() }
            let mount = try Self.tmpfs(at: home.url("dbfs"), size: "8m")
            defer { mount.unmount() }
            let ledger = home.url("ledger")
            let database = mount.path + "/dsari.sqlite3"
            let daemon = try DaemonProcess(
                config: Self.tickers(4, ledger: ledger, extra: "database: {file: \"\(database)\"}\n"), home: home)
            defer { daemon.stop(keepHome: true) }
            try daemon.start()
            #expect(eventually { SystemProbe.ledger(ledger).count >= 8 })
            let filler = mount.fill("filler")
            #expect(eventually(timeout: 30) { daemon.log.contains("cannot write runs to the database") }, "\(daemon.log.suffix(3000))")
            usleep(3_000_000)
            let during = SystemProbe.ledger(ledger)
            try FileManager.default.removeItem(atPath: filler)
            let lost = Self.lostRuns(daemon, ledger: during, database: database)
            #expect(lost.isEmpty, "runs not recorded once the disk had room: \(lost.prefix(5))\n\(daemon.log.suffix(6000))")
            #expect(daemon.log.contains("database writable again"))
            #expect(try ExternalSQLite.integrityCheck(database) == "ok")
            #expect(daemon.process.isRunning)
            ReliabilityReport.record(
                test: "database disk full", load: "4 jobs/s", faults: "tmpfs of the database filled, then freed",
                runsLost: lost.count, crashes: daemon.process.isRunning ? 0 : 1, notes: "SQLITE_FULL: kept in memory, retried every 5 s")
        }

        /// A database the daemon cannot write when it starts: it refuses to
        /// start, with the reason, instead of running jobs it cannot record.
        @Test(needsTmpfs) func databaseReadOnlyAtStart() throws {
            let home = try TemporaryDirectory(prefix: "dsari-dbro")
            defer { home.remove() }
            let mount = try Self.tmpfs(at: home.url("dbfs"), size: "8m")
            defer { mount.unmount() }
            let config = Self.tickers(2, ledger: home.url("ledger"), extra: "database: {file: \"\(mount.path)/dsari.sqlite3\"}\n")
            let first = try DaemonProcess(config: config, home: home)
            defer { first.stop(keepHome: true) }
            try first.start()
            #expect(eventually { SystemProbe.ledger(home.url("ledger")).count >= 2 })
            first.signal(SIGTERM)
            #expect(first.waitForExit() == 0)
            let remount = try SystemCommand.run(["mount", "-o", "remount,ro", mount.path], timeout: 30)
            try #require(remount.status == 0, "remount read-only: \(remount.standardError)")
            let second = try DaemonProcess(config: config, home: home)
            defer { second.stop(keepHome: true) }
            try second.start()
            let status = second.waitForExit(timeout: 30)
            #expect(status == 1, "\(second.log)")
            #expect(second.log.contains("cannot open the database \(mount.path)/dsari.sqlite3"), "\(second.log)")
            let ledgerBefore = SystemProbe.ledger(home.url("ledger")).count
            usleep(1_500_000)
            #expect(SystemProbe.ledger(home.url("ledger")).count == ledgerBefore, "runs started that could not be recorded")
            _ = try SystemCommand.run(["mount", "-o", "remount,rw", mount.path], timeout: 30)
            ReliabilityReport.record(
                test: "database read-only", load: "2 jobs/s", faults: "database on a read-only mount at start", runsLost: 0,
                crashes: status == 1 ? 0 : 1, notes: "refuses to start: exit 1, \"cannot open the database …\"")
        }

        @Test(needsTmpfs) func outputDirectoryDiskFull() throws {
            let home = try TemporaryDirectory(prefix: "dsari-outfull")
            defer { home.remove() }
            let mount = try Self.tmpfs(at: home.url("var/runs"), size: "1m")
            defer { mount.unmount() }
            let ledger = home.url("ledger")
            let jobs = (0..<3).map {
                "  big\($0): {command: [/bin/sh, -c, 'head -c 300000 /dev/zero | tr \"\\\\0\" x; echo; \(Self.done)'], schedule: '* * * * * *'}"
            }
            let daemon = try DaemonProcess(
                config: "environment: {LEDGER: \"\(ledger)\"}\njobs:\n" + jobs.joined(separator: "\n") + "\n", home: home)
            defer { daemon.stop(keepHome: true) }
            try daemon.start()
            // 900 KB a second into a 1 MB file system: full within seconds.
            var history = try HistorySnapshot(databasePath: daemon.databasePath)
            let sawFull = eventually(timeout: 30) {
                history = (try? HistorySnapshot(databasePath: daemon.databasePath)) ?? history
                return history.finished.contains { $0.runData["output_error"] != nil || $0.runData["start_error"] != nil }
            }
            #expect(sawFull, "no run saw the full disk: \(daemon.log.suffix(2000))")
            let full = history.finished.filter { $0.runData["output_error"] != nil || $0.runData["start_error"] != nil }
            let reasons = Set(
                full.compactMap { run -> String? in
                    if case .string(let text)? = (run.runData["output_error"] ?? run.runData["start_error"])?.value { return text }
                    return nil
                })
            #expect(reasons.contains { $0.contains("No space left on device") }, "\(reasons)")
            // Room again: the next runs keep their whole output.
            for job in (try? FileManager.default.contentsOfDirectory(atPath: mount.path)) ?? [] {
                try? FileManager.default.removeItem(atPath: mount.path + "/" + job)
            }
            let freedAt = Date().timeIntervalSince1970
            var whole: RunRecord?
            _ = eventually(timeout: 30) {
                let runs = (try? HistorySnapshot(databasePath: daemon.databasePath))?.finished ?? []
                whole = runs.first {
                    $0.startTime > freedAt && $0.runData["output_bytes"]?.value == .int(300_001) && $0.runData["output_error"] == nil
                }
                return whole != nil
            }
            #expect(whole != nil, "no complete output after the disk had room again")
            let lost = Self.lostRuns(daemon, ledger: SystemProbe.ledger(ledger))
            #expect(lost.isEmpty)
            #expect(daemon.process.isRunning)
            ReliabilityReport.record(
                test: "output disk full", load: "3 jobs/s × 300 KB", faults: "1 MB tmpfs for runs/ filled, then freed",
                runsLost: lost.count, crashes: daemon.process.isRunning ? 0 : 1,
                notes: "\(full.count) runs recorded with output_error/start_error; the runs went on")
        }

        @Test func runDirectoryRemovedUnderARunningRun() throws {
            let home = try TemporaryDirectory(prefix: "dsari-rmdir")
            let ledger = home.url("ledger")
            let jobs = ["slow", "slowjob"].map {
                "  \($0): {command: [/bin/sh, -c, 'echo before; sleep 1.5; echo after; \(Self.done)'], schedule: '* * * * * *'}"
            }
            let daemon = try DaemonProcess(
                config: "environment: {LEDGER: \"\(ledger)\"}\njobs:\n" + jobs.joined(separator: "\n") + "\n", home: home)
            defer { daemon.stop() }
            try daemon.start()
            var running: [RunRecord] = []
            #expect(
                eventually {
                    running = (try? HistorySnapshot(databasePath: daemon.databasePath))?.running ?? []
                    return Set(running.map(\.jobName)).count == 2
                })
            var removed: [String] = []
            for run in running {
                // One run loses its own directory, the other its whole job directory.
                let path = daemon.dataDirectory + "/runs/\(run.jobName)" + (run.jobName == "slow" ? "/\(run.runID)" : "")
                // A start is recorded before its directory is made.
                #expect(
                    eventually(timeout: 30) {
                        FileManager.default.fileExists(atPath: daemon.dataDirectory + "/runs/\(run.jobName)/\(run.runID)")
                    })
                try FileManager.default.removeItem(atPath: path)
                removed.append(run.runID)
            }
            let lost = Self.lostRuns(daemon, ledger: removed)
            #expect(lost.isEmpty)
            let byID = try HistorySnapshot(databasePath: daemon.databasePath).finishedByID
            #expect(removed.allSatisfy { byID[$0]?.exitCode == 0 })
            // Later runs of both jobs have their directories and output again.
            #expect(
                eventually {
                    let runs = (try? HistorySnapshot(databasePath: daemon.databasePath))?.finished ?? []
                    return ["slow", "slowjob"].allSatisfy { job in
                        runs.contains { run in
                            run.jobName == job && !removed.contains(run.runID)
                                && (try? String(
                                    contentsOfFile: daemon.dataDirectory + "/runs/\(job)/\(run.runID)/output.txt", encoding: .utf8))
                                    == "before\nafter\n"
                        }
                    }
                })
            #expect(daemon.process.isRunning)
            ReliabilityReport.record(
                test: "run directory removed", load: "2 jobs/s", faults: "rm -rf of a running run's directory and of a job directory",
                runsLost: lost.count, crashes: daemon.process.isRunning ? 0 : 1, notes: "the runs finish and are recorded (exit 0)")
        }

        @Test func configurationDirectoryVanishesBeforeSIGHUP() throws {
            let home = try TemporaryDirectory(prefix: "dsari-noconf")
            let ledger = home.url("ledger")
            let daemon = try DaemonProcess(config: Self.tickers(2, ledger: ledger), home: home)
            defer { daemon.stop() }
            try daemon.start()
            #expect(eventually { SystemProbe.ledger(ledger).count >= 2 })
            // The whole directory goes; then only its file.
            try FileManager.default.moveItem(atPath: daemon.configDirectory, toPath: home.url("etc.gone"))
            daemon.signal(SIGHUP)
            #expect(eventually { daemon.log.components(separatedBy: "reload refused").count == 2 }, "\(daemon.log.suffix(2000))")
            let afterFirst = SystemProbe.ledger(ledger).count
            #expect(eventually { SystemProbe.ledger(ledger).count >= afterFirst + 4 }, "the jobs stopped after the reload")
            try FileManager.default.createDirectory(atPath: daemon.configDirectory, withIntermediateDirectories: true)
            daemon.signal(SIGHUP)
            #expect(eventually { daemon.log.components(separatedBy: "reload refused").count == 3 }, "\(daemon.log.suffix(2000))")
            let afterSecond = SystemProbe.ledger(ledger).count
            #expect(eventually { SystemProbe.ledger(ledger).count >= afterSecond + 4 }, "the jobs stopped after the reload")
            // Back with a change: the reload is taken.
            try FileManager.default.removeItem(atPath: daemon.configDirectory)
            try FileManager.default.moveItem(atPath: home.url("etc.gone"), toPath: daemon.configDirectory)
            try daemon.home.write("etc/dsari.yaml", Self.tickers(3, ledger: ledger))
            daemon.signal(SIGHUP)
            #expect(eventually { daemon.log.contains("configuration reloaded jobs=3") }, "\(daemon.log.suffix(2000))")
            #expect(daemon.process.isRunning)
            ReliabilityReport.record(
                test: "config directory vanishes", load: "2 jobs/s", faults: "SIGHUP with etc/ gone, then with etc/ empty",
                runsLost: 0, crashes: daemon.process.isRunning ? 0 : 1, notes: "reload refused, the running configuration kept")
        }

        /// Trigger files that once trapped (a schedule_time past Int64) or
        /// could exhaust memory (an alias bomb) are put aside; the daemon goes on.
        @Test func hostileTriggerFilesAreRejectedAside() throws {
            let home = try TemporaryDirectory(prefix: "dsari-triggers")
            let ledger = home.url("ledger")
            let daemon = try DaemonProcess(
                config: "environment: {LEDGER: \"\(ledger)\"}\njobs:\n  manual: {command: [/bin/sh, -c, '\(Self.done)']}\n", home: home)
            defer { daemon.stop() }
            try daemon.start()
            #expect(eventually { daemon.log.contains("dsari-daemon started") })
            let bomb = (1...9).map { "l\($0): &l\($0) [" + Array(repeating: "*l\($0 - 1)", count: 9).joined(separator: ",") + "]" }
            let hostile = [
                #"{"schedule_time": 1e300}"#, #"{"schedule_time": 9223372036854775807}"#, #"{"schedule_time": "99999999999999"}"#,
                "l0: &l0 [x]\n" + bomb.joined(separator: "\n") + "\n",
            ]
            for (index, text) in hostile.enumerated() {
                let name = index == 3 ? "trigger.yaml" : "trigger.json"
                try daemon.home.write("var/trigger/manual/\(name)", text)
                daemon.signal(SIGUSR1)
                #expect(
                    eventually { FileManager.default.fileExists(atPath: daemon.dataDirectory + "/trigger/manual/\(name).rejected") },
                    "\(text.prefix(80)): \(daemon.log.suffix(1500))")
                try? FileManager.default.removeItem(atPath: daemon.dataDirectory + "/trigger/manual/\(name).rejected")
                #expect(daemon.process.isRunning)
            }
            try daemon.home.write("var/trigger/manual/trigger.json", "{}")
            daemon.signal(SIGUSR1)
            #expect(eventually { SystemProbe.ledger(ledger).count == 1 })
            ReliabilityReport.record(
                test: "hostile trigger files", load: "-", faults: "schedule_time 1e300, 2^63-1, huge epoch text; YAML alias bomb",
                runsLost: 0, crashes: daemon.process.isRunning ? 0 : 1, notes: "each renamed .rejected with the reason")
        }
    }
}

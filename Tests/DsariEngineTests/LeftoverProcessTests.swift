import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// `kill_leftover_processes`: what a finished run left running (a
/// background process, one that left the run's process group with `setsid`,
/// one ignoring SIGTERM) is ended when the run's main process ends; by
/// default (dsari's behaviour) it lives on.
@Suite("leftover processes of finished runs (built binary)")
struct LeftoverProcessTests {
    /// A run that leaves three processes behind and exits at once: a plain
    /// background sleep, a `setsid` one, and a shell ignoring SIGTERM (with
    /// its sleep: the run ends once that shell has started it).
    static func config(killLeftovers: Bool?) -> String {
        let option = killLeftovers.map { "\n    kill_leftover_processes: \($0)" } ?? ""
        return """
            jobs:
              leaver:
                command: [/bin/sh, -c, 'sleep 300 & setsid sleep 300 & sh -c "trap \\"\\" TERM; sleep 300 & : > started; wait; sleep 300" & until [ -e started ]; do sleep 0.05; done; echo left']
                max_execution_grace: 2\(option)

            """
    }

    /// Runs the job once (a trigger file read at start) and returns its record.
    static func runOnce(_ daemon: DaemonProcess) throws -> RunRecord {
        try daemon.home.write("var/trigger/leaver/trigger.json", "{}")
        try daemon.start()
        var record: RunRecord?
        _ = eventually(timeout: 30) {
            let store = try? SQLiteRunStore(path: daemon.databasePath, readOnly: true)
            record = (try? store?.runs(jobNames: ["leaver"], runIDs: [], finished: true, running: false))??.first
            return record != nil
        }
        return try #require(record, "the run was not recorded: \(daemon.log)")
    }

    @Test func killLeftoverProcessesEndsEverythingTheRunLeftBehind() throws {
        let daemon = try DaemonProcess(config: Self.config(killLeftovers: true))
        defer { daemon.stop() }
        let run = try Self.runOnce(daemon)
        defer { ((try? pidsOfRun(run.runID)) ?? []).forEach { kill($0, SIGKILL) } }
        #expect(run.exitCode == 0)
        // Recorded at once, with how many got SIGTERM: sleep, setsid sleep, the TERM-ignoring shell and its sleep.
        guard case .int(let killed)? = run.runData["leftover_processes_killed"]?.value else {
            Issue.record("no run_data.leftover_processes_killed: \(run.runData) \(daemon.log)")
            return
        }
        #expect(killed == 4, "\(daemon.log)")
        #expect(run.stopTime.map { $0 - run.startTime < 5 } == true)
        // The one ignoring SIGTERM goes at the SIGKILL after max_execution_grace (2 s).
        #expect(try eventually(timeout: 30) { try pgrepRun(run.runID) == 0 }, "processes of the finished run still alive: \(daemon.log)")
        #expect(daemon.process.isRunning)
    }

    @Test func byDefaultWhatARunLeavesLivesOnAsWithDsari() throws {
        let daemon = try DaemonProcess(config: Self.config(killLeftovers: nil))
        defer { daemon.stop() }
        let run = try Self.runOnce(daemon)
        defer { ((try? pidsOfRun(run.runID)) ?? []).forEach { kill($0, SIGKILL) } }
        #expect(run.exitCode == 0)
        #expect(run.runData["leftover_processes_killed"] == nil)
        usleep(3_000_000)  // past the grace a killing daemon would have waited
        #expect(try pgrepRun(run.runID) == 4, "\(daemon.log)")
    }
}

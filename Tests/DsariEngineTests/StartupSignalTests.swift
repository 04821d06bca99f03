import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// Signals that reach dsari-daemon while it is still starting (database,
/// recovery, listeners): `kill -USR1 $(cat var/dsari-daemon.lock)` right
/// after a trigger, or a service manager's reload, must never kill it, and
/// what they ask for is done once the daemon is ready.
///
/// The signals are sent from the moment the lock file names the daemon's pid
/// (the earliest a user can know it), spread over the next 50 ms with most of
/// them early, where the start-up work is. Before the process runs any code
/// of ours (the dynamic loader's time) no program can protect itself.
@Suite("signals during start-up (built binary)", .serialized)
struct StartupSignalTests {
    static let attempts = 20

    static let config = """
        jobs:
          tick: {command: [/bin/true], schedule: "* * * * * *"}
          idle: {command: [/bin/true]}

        """

    /// Starts a daemon on a fresh home, waits until its lock file holds its
    /// pid and `offset` µs more, then sends `number`.
    static func startAndSignal(_ number: Int32, after offset: UInt32) throws -> DaemonProcess {
        let daemon = try DaemonProcess(config: config)
        try daemon.start()
        let expected = Array("\(daemon.process.processIdentifier)\n".utf8)
        let lockPath = daemon.dataDirectory + "/dsari-daemon.lock"
        let deadline = Date().addingTimeInterval(20)
        // A tight poll (no Foundation reads): the window after the pid is written is short.
        var buffer = [UInt8](repeating: 0, count: 32)
        while Date() < deadline {
            let descriptor = open(lockPath, O_RDONLY | O_CLOEXEC)
            if descriptor >= 0 {
                let count = pread(descriptor, &buffer, buffer.count, 0)
                close(descriptor)
                if count == expected.count, Array(buffer[0..<count]) == expected { break }
            }
            usleep(20)
        }
        usleep(offset)
        daemon.signal(number)
        return daemon
    }

    @Test(arguments: [SIGUSR1, SIGHUP])
    func aSignalDuringStartUpDoesNotKillTheDaemon(signalNumber: Int32) throws {
        for attempt in 0..<Self.attempts {
            let offset = startUpSignalOffsetMicroseconds(attempt: attempt, of: Self.attempts)
            let daemon = try Self.startAndSignal(signalNumber, after: offset)
            defer { daemon.stop() }
            let ready = eventually(timeout: 30) { daemon.log.contains("dsari-daemon started") || !daemon.process.isRunning }
            try #require(ready, "attempt \(attempt): the daemon neither started nor stopped: \(daemon.log)")
            usleep(200_000)
            let how = daemon.process.isRunning ? "" : "signal \(daemon.process.terminationStatus)"
            #expect(
                daemon.process.isRunning,
                "attempt \(attempt): signal \(signalNumber) \(offset) µs after the pid was published ended the daemon (\(how)): \(daemon.log)"
            )
            guard daemon.process.isRunning else { continue }
            if signalNumber == SIGHUP {
                // Not lost either: acted on once the daemon is ready.
                #expect(
                    eventually(timeout: 30) { daemon.log.contains("configuration reloaded") },
                    "attempt \(attempt): SIGHUP during start-up was never acted on: \(daemon.log)")
            }
            daemon.signal(SIGTERM)
            #expect(daemon.waitForExit(timeout: 30) == 0, "attempt \(attempt): \(daemon.log)")
        }
    }

    /// SIGINT/SIGTERM during start-up are not lost: the daemon finishes
    /// starting, then stops cleanly (exit 0), as it would had they come later.
    @Test(arguments: [SIGTERM, SIGINT])
    func aStopRequestDuringStartUpStopsTheDaemonCleanlyOnceReady(signalNumber: Int32) throws {
        for attempt in stride(from: 0, to: Self.attempts, by: 2) {
            let daemon = try Self.startAndSignal(signalNumber, after: startUpSignalOffsetMicroseconds(attempt: attempt, of: Self.attempts))
            defer { daemon.stop() }
            let status = daemon.waitForExit(timeout: 20)
            try #require(status != nil, "attempt \(attempt): the stop request was lost: \(daemon.log)")
            #expect(daemon.process.terminationReason == .exit, "attempt \(attempt): killed by the signal: \(daemon.log)")
            #expect(status == 0, "attempt \(attempt): \(daemon.log)")
            #expect(daemon.log.contains("dsari-daemon stopped"), "attempt \(attempt): \(daemon.log)")
        }
    }
}

import DsariTestSupport
import Foundation
import Testing

/// Signals that reach dsari-prometheus-exporter while it is still starting
/// (configuration, HTTP server): a service manager's reload or stop right
/// after the start must never kill it, and what they ask for is done once
/// it serves — as for dsari-daemon (`StartupSignalTests`), through the same
/// `SignalRouter`.
///
/// The exporter publishes nothing before it serves, so the signals are sent
/// from the moment it opens its configuration file (seen with inotify: by
/// then its own code runs), spread over the next 50 ms with most of them
/// early, where the start-up work is.
@Suite("exporter: signals during start-up (built binary)", .serialized)
struct ExporterStartupSignalTests {
    static let attempts = 16

    struct Started {
        let process: Process
        let logPath: String
        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    }

    /// Starts the exporter on `home`, waits until it opens its configuration
    /// file and `offset` µs more, then sends `number`.
    static func startAndSignal(_ number: Int32, after offset: UInt32, home: TemporaryDirectory, attempt: Int) throws -> Started {
        let configFile = home.url("etc/dsari.yaml")
        let watch = inotify_init1(Int32(IN_CLOEXEC))
        try #require(watch >= 0, "inotify_init1: \(errno)")
        defer { close(watch) }
        try #require(inotify_add_watch(watch, configFile, UInt32(IN_OPEN)) >= 0, "inotify_add_watch: \(errno)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BinaryRunner("dsari-prometheus-exporter").executable)
        process.arguments = ["-c", home.url("etc"), "--listen-address", "127.0.0.1", "--listen-port", "0"]
        process.environment = ProcessInfo.processInfo.environment.merging(["DSARI_HOME": home.path]) { $1 }
        let logPath = home.url("exporter-\(attempt).log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
        var poller = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
        try #require(poll(&poller, 1, 20_000) == 1, "the exporter never opened \(configFile)")
        usleep(offset)
        kill(process.processIdentifier, number)
        return Started(process: process, logPath: logPath)
    }

    @Test func aReloadDuringStartUpNeitherKillsTheExporterNorIsLost() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        try home.write("etc/dsari.yaml", "jobs:\n  a: {command: [/bin/true]}\n")
        for attempt in 0..<Self.attempts {
            let offset = startUpSignalOffsetMicroseconds(attempt: attempt, of: Self.attempts)
            let exporter = try Self.startAndSignal(SIGHUP, after: offset, home: home, attempt: attempt)
            defer {
                if exporter.process.isRunning { exporter.process.terminate() }
                exporter.process.waitUntilExit()
            }
            let served = eventually(timeout: 30) { exporter.log.contains("listening") || !exporter.process.isRunning }
            try #require(served, "attempt \(attempt): the exporter neither served nor stopped: \(exporter.log)")
            #expect(
                eventually(timeout: 30) { exporter.log.contains("configuration reloaded") || !exporter.process.isRunning },
                "attempt \(attempt): SIGHUP \(offset) µs after the start was never acted on: \(exporter.log)")
            #expect(
                exporter.process.isRunning,
                "attempt \(attempt): SIGHUP \(offset) µs after the configuration was opened ended the exporter: \(exporter.log)")
        }
    }

    /// SIGTERM during start-up is not lost and ends the exporter cleanly
    /// (exit 0), as it would later.
    @Test func aStopDuringStartUpStopsTheExporterCleanly() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        try home.write("etc/dsari.yaml", "jobs:\n  a: {command: [/bin/true]}\n")
        for attempt in stride(from: 0, to: Self.attempts, by: 2) {
            let exporter = try Self.startAndSignal(
                SIGTERM, after: startUpSignalOffsetMicroseconds(attempt: attempt, of: Self.attempts), home: home, attempt: attempt)
            defer {
                if exporter.process.isRunning { exporter.process.terminate() }
                exporter.process.waitUntilExit()
            }
            let stopped = eventually(timeout: 30) { !exporter.process.isRunning }
            try #require(stopped, "attempt \(attempt): the stop request was lost: \(exporter.log)")
            #expect(
                exporter.process.terminationReason == .exit && exporter.process.terminationStatus == 0,
                "attempt \(attempt): not a clean stop (\(exporter.process.terminationReason == .exit ? "exit" : "signal") \(exporter.process.terminationStatus)): \(exporter.log)"
            )
        }
    }
}

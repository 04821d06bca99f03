import DsariCore
import DsariStore
import Foundation

/// A real `dsari-daemon` child process on a temporary DSARI_HOME, with its
/// log captured, for end-to-end tests.
public final class DaemonProcess: @unchecked Sendable {
    // @unchecked: the Process is only started, signalled and awaited by the owning test.
    public let home: TemporaryDirectory
    public let process = Process()
    public let logPath: String
    /// Where it records runs (`etc/config.d/00-database.yaml` names it).
    public let backend: StoreBackend
    /// Its `host_name` (also written in that file).
    public let hostName: String

    public var configDirectory: String { home.url("etc") }
    public var dataDirectory: String { home.url("var") }
    public var databasePath: String { home.url("var/dsari.sqlite3") }

    /// Writes `config` as etc/dsari.yaml in a fresh DSARI_HOME, and the
    /// backend's database and `hostName` in etc/config.d/00-database.yaml.
    public init(
        config: String, home existing: TemporaryDirectory? = nil, backend: StoreBackend = .sqlite,
        hostName: String = DatabaseConfig.machineHostName()
    ) throws {
        home = try existing ?? TemporaryDirectory(prefix: "dsari-daemon-test")
        try home.write("etc/dsari.yaml", config)
        self.backend = backend
        self.hostName = hostName
        try home.write("etc/config.d/00-database.yaml", "host_name: \(hostName)\n" + (backend.configLines ?? ""))
        logPath = home.url("daemon-\(UUID().uuidString.prefix(8)).log")
    }

    /// Its run store, opened as a reader; nil while nothing has been recorded (SQLite).
    public func store() throws -> (any RunStore)? {
        try backend.openStore(databasePath: databasePath, hostName: hostName)
    }

    /// Starts the daemon (`extraArguments` after `-c`; `environment` added to this process's).
    public func start(_ extraArguments: [String] = [], environment extra: [String: String] = [:]) throws {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: BinaryRunner("dsari-daemon").executable)
        process.arguments = ["-c", configDirectory, "--debug"] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["DSARI_HOME"] = home.path
        environment.merge(extra) { $1 }
        process.environment = environment
        process.standardError = log
        process.standardOutput = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The port of its `http_listen` endpoints, from the `address=` of its
    /// "serving /metrics" log line; nil until it has logged it.
    public var httpPort: UInt16? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("serving /metrics") }),
            let address = line.split(separator: " ").first(where: { $0.hasPrefix("address=") })
        else { return nil }
        return address.split(separator: ":").last.flatMap { UInt16($0) }
    }

    public func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the daemon to exit; nil if it is still running after `timeout`.
    public func waitForExit(timeout: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Stops the daemon (SIGTERM, then SIGKILL) and removes its home unless `keepHome`.
    public func stop(keepHome: Bool = false) {
        if process.isRunning {
            signal(SIGTERM)
            if waitForExit(timeout: 10) == nil {
                signal(SIGKILL)
                _ = waitForExit(timeout: 5)
            }
        }
        if !keepHome { home.remove() }
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` seconds pass.
public func eventually(timeout: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if try condition() { return true }
        usleep(50_000)
    } while Date() < deadline
    return try condition()
}

/// When the start-up signal tests send their signal, per attempt: 0…50 ms
/// after the process shows it runs our code, densest near 0, where the
/// start-up work (configuration, database, listeners) is.
public func startUpSignalOffsetMicroseconds(attempt: Int, of attempts: Int) -> UInt32 {
    let fraction = Double(attempt) / Double(attempts)
    return UInt32(50_000 * fraction * fraction * fraction)
}

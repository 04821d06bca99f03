import Foundation
import Synchronization

/// A real PostgreSQL server for tests (Debian's `postgresql` package):
/// `initdb` into a temporary directory and `pg_ctl start` on a free port on
/// 127.0.0.1, its socket in that directory — as the unprivileged `postgres`
/// user when the tests run as root (the server refuses root). Connections
/// over TCP need the superuser's password (SCRAM); over the socket, none.
/// `stop()` (or the end of the test process, for `shared`) shuts it down and
/// removes the directory.
public final class PostgresServer: Sendable {
    public let directory: TemporaryDirectory
    public let port: UInt16
    public let user = "dsari"
    public let password = "s3cret-Pg-pass"
    private let binDirectory: String
    private let serverUser: ServerUser
    private let serverProcess = Mutex<Process?>(nil)

    public var dataDirectory: String { directory.url("data") }
    public var socketDirectory: String { directory.url("socket") }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The server shared by the tests of one test process, started on first
    /// use and stopped when the process exits. Each test takes a database of
    /// its own (`createDatabase()`).
    public static var shared: PostgresServer {
        get throws {
            try sharedServer.withLock { server in
                if let server { return server }
                let started = try PostgresServer()
                server = started
                atexit { PostgresServer.sharedServer.withLock { $0 }?.stop() }
                return started
            }
        }
    }
    private static let sharedServer = Mutex<PostgresServer?>(nil)

    public init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.compactMap(Int.init).max() else {
            throw Failure(description: "PostgreSQL (Debian's postgresql package) is needed; script/test installs it")
        }
        binDirectory = "/usr/lib/postgresql/\(version)/bin"
        serverUser = ServerUser(whenRoot: "postgres")
        directory = try TemporaryDirectory(prefix: "dsari-postgres")
        port = try freeLoopbackPort()
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        let passwordFile = try directory.write("pwfile", password + "\n")
        if let runAsUser = serverUser.name {
            _ = try BinaryRunner(path: "/bin/chown").run(["-R", runAsUser, directory.path])
            // The temporary directory's parents must let that user through.
            _ = try BinaryRunner(path: "/bin/chmod").run(["755", directory.path])
        }
        try run(
            "initdb",
            [
                "-D", dataDirectory, "-U", user, "--pwfile=\(passwordFile)", "--auth-local=trust", "--auth-host=scram-sha-256",
                "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
            ])
        try start()
    }

    /// Starts the server (again, after `stopServer()`) in the foreground,
    /// as a child of the test process (not through `pg_ctl`, whose server
    /// would keep Foundation's process pipes open), and waits until it
    /// accepts connections.
    public func start() throws {
        let process = Process()
        let server = [
            binDirectory + "/postgres", "-D", dataDirectory, "-k", socketDirectory, "-p", String(port),
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200",
        ]
        let (executable, arguments) = serverUser.commandLine(server)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let log = directory.url("server.log")
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        serverProcess.withLock { $0 = process }
        let ready = eventually(timeout: 60) {
            guard process.isRunning else { return true }
            let probe = try? BinaryRunner(path: binDirectory + "/pg_isready").run(
                ["-h", socketDirectory, "-p", String(port), "-U", user], timeout: 10)
            return probe?.status == 0
        }
        guard ready, process.isRunning else {
            throw Failure(description: "the PostgreSQL server did not start: \(self.log)")
        }
    }

    /// Stops the server (fast shutdown) but keeps its data: an outage, for
    /// tests that start it again.
    public func stopServer() {
        guard let process = serverProcess.withLock({ $0 }), process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
    }

    /// Stops the server and removes its directory.
    public func stop() {
        stopServer()
        directory.remove()
    }

    public var log: String { (try? String(contentsOfFile: directory.url("server.log"), encoding: .utf8)) ?? "" }

    /// A new, empty database; its libpq connection string (TCP, with the password).
    public func createDatabase() throws -> String {
        let name = "dsari_\(UUID().uuidString.prefix(8).lowercased())"
        try psql("CREATE DATABASE \(name)", database: "postgres")
        return dsn(database: name)
    }

    /// The connection string for `database`, over TCP with the password.
    public func dsn(database: String) -> String {
        "host=127.0.0.1 port=\(port) user=\(user) password=\(password) dbname=\(database)"
    }

    /// Runs SQL in `database` with psql over the socket; its output (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String, database: String) throws -> String {
        let result = try BinaryRunner(path: binDirectory + "/psql").run(
            ["-h", socketDirectory, "-p", String(port), "-U", user, "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.status == 0 else { throw Failure(description: "psql: \(result.standardError)") }
        return result.standardOutput
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let path = binDirectory + "/" + tool
        let result = try serverUser.run([path] + arguments)
        guard result.status == 0 else {
            throw Failure(description: "\(tool) failed (\(result.status)): \(result.standardError) \(result.standardOutput)\n\(log)")
        }
    }
}

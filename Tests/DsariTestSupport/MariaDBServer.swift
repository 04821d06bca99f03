import Foundation
import Synchronization

/// A real MariaDB server for tests (Debian's `mariadb-server` package):
/// `mariadb-install-db` into a temporary directory and `mariadbd` in the
/// foreground, as a child of the test process (no `mysqld_safe`, no
/// systemd), on a free port on 127.0.0.1, its socket in that directory —
/// as the unprivileged `mysql` user when the tests run as root (the server
/// refuses root), else as the current user. Every tool gets `--no-defaults`
/// first, so that no option file (/etc/mysql, ~/.my.cnf) has a say.
///
/// The server's default character set is deliberately left at latin1
/// (MariaDB's compiled default, still what many servers run with): the
/// store is tested against a server that does not default to utf8mb4, so
/// it must ask for utf8mb4 itself, for its connections and its tables.
///
/// TLS: at `init`, openssl makes a CA, a server certificate for 127.0.0.1
/// (IP SAN; and localhost) and a client certificate (`caFile`,
/// `clientCertFile`, `clientKeyFile`), all signed by that CA; the server
/// offers TLS on TCP, and a client verifying it against `caFile` succeeds.
///
/// Users: `root`, without a password, over the socket (`sql`); `user`
/// (`dsari`) with `password`, all privileges, over TCP (127.0.0.1) and the
/// socket; `tlsUser` (`dsari_tls`), the same but `REQUIRE SSL`, on
/// 127.0.0.1 only, so that a connection that succeeds as it proves it used
/// TLS (MariaDB counts any socket connection as secure enough for it).
/// Binary logging is off, so triggers need no `log_bin_trust_function_creators`.
///
/// `stopServer()` is an outage (SIGTERM: connected clients are cut off, the
/// data kept), `start()` ends it; `stop()` (or the end of the test process,
/// for `shared`) shuts the server down and removes the directory.
public final class MariaDBServer: Sendable {
    public let directory: TemporaryDirectory
    public let port: UInt16
    public let user = "dsari"
    public let password = "s3cret-My-pass"
    /// Like `user`, but only with TLS (`REQUIRE SSL`), over TCP.
    public let tlsUser = "dsari_tls"
    private let serverPath: String
    private let installPath: String
    private let clientPath: String
    private let adminPath: String
    private let serverUser: ServerUser
    private let serverProcess = Mutex<Process?>(nil)

    public var dataDirectory: String { directory.url("data") }
    /// Its path must stay under 108 bytes (`sun_path`): `init` checks.
    public var socketPath: String { directory.url("mysqld.sock") }
    public var tlsDirectory: String { directory.url("tls") }
    /// The CA, the server's certificate and the client's (`TestCertificates` names the files).
    private let certificates: TestCertificates
    /// The CA that signed the server's and the client's certificates.
    public var caFile: String { certificates.caFile }
    public var clientCertFile: String { certificates.clientCertFile("client") }
    public var clientKeyFile: String { certificates.clientKeyFile("client") }
    private var logPath: String { directory.url("server.log") }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The server shared by the tests of one test process, started on first
    /// use and stopped when the process exits. Each test takes a database of
    /// its own (`createDatabase()`).
    public static var shared: MariaDBServer {
        get throws {
            try sharedServer.withLock { server in
                if let server { return server }
                let started = try MariaDBServer()
                server = started
                atexit { MariaDBServer.sharedServer.withLock { $0 }?.stop() }
                return started
            }
        }
    }
    private static let sharedServer = Mutex<MariaDBServer?>(nil)

    public init() throws {
        func tool(_ name: String) -> String? {
            ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"].map { $0 + "/" + name }
                .first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        guard let server = tool("mariadbd"), let install = tool("mariadb-install-db"), let client = tool("mariadb"),
            let admin = tool("mariadb-admin")
        else {
            throw Failure(description: "MariaDB (Debian's mariadb-server package) is needed for the MySQL/MariaDB store's tests")
        }
        serverPath = server
        installPath = install
        clientPath = client
        adminPath = admin
        serverUser = ServerUser(whenRoot: "mysql")
        let home = try TemporaryDirectory(prefix: "dsari-mariadb")
        directory = home
        do {
            port = try freeLoopbackPort()
            certificates = try TestCertificates(directory: home.url("tls"), clients: ["client"])
        } catch {
            home.remove()
            throw error
        }
        do {
            guard socketPath.utf8.count <= 107 else {
                throw Failure(description: "the MariaDB socket path \(socketPath) is too long for a Unix socket; set a shorter TMPDIR")
            }
            // Created now, so that it is the server user's too: mariadbd appends to it (`--log-error`).
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            if let runAsUser = serverUser.name {
                _ = try BinaryRunner(path: "/bin/chown").run(["-R", runAsUser + ":", directory.path])
                // The temporary directory's parents must let that user through.
                _ = try BinaryRunner(path: "/bin/chmod").run(["755", directory.path])
            }
            // `--auth-root-authentication-method=normal`: root without a password (over the socket), whoever runs
            // the tests. The log file size goes to the bootstrap server (default: 96 MiB of the 114 on disk).
            try runAsServerUser(
                installPath,
                [
                    "--no-defaults", "--datadir=\(dataDirectory)", "--auth-root-authentication-method=normal", "--skip-test-db",
                    "--skip-name-resolve", "--innodb-log-file-size=16M",
                ])
            try start()
            try sql(
                """
                CREATE USER '\(user)'@'127.0.0.1' IDENTIFIED BY '\(password)';
                CREATE USER '\(user)'@'localhost' IDENTIFIED BY '\(password)';
                GRANT ALL PRIVILEGES ON *.* TO '\(user)'@'127.0.0.1', '\(user)'@'localhost';
                CREATE USER '\(tlsUser)'@'127.0.0.1' IDENTIFIED BY '\(password)' REQUIRE SSL;
                GRANT ALL PRIVILEGES ON *.* TO '\(tlsUser)'@'127.0.0.1';
                """)
        } catch {
            stop()
            throw error
        }
    }

    /// Starts the server (again, after `stopServer()`) in the foreground, as
    /// a child of the test process, and waits until it answers a ping over
    /// its socket.
    public func start() throws {
        let process = Process()
        let server = [
            serverPath, "--no-defaults", "--datadir=\(dataDirectory)", "--socket=\(socketPath)", "--port=\(port)",
            "--bind-address=127.0.0.1", "--pid-file=\(directory.url("mariadbd.pid"))", "--log-error=\(logPath)",
            "--skip-name-resolve", "--skip-log-bin", "--max-connections=200", "--innodb-flush-log-at-trx-commit=2",
            "--innodb-doublewrite=0", "--innodb-log-file-size=16M", "--innodb-buffer-pool-dump-at-shutdown=0",
            "--innodb-buffer-pool-load-at-startup=0", "--ssl-ca=\(caFile)", "--ssl-cert=\(certificates.serverCertFile)",
            "--ssl-key=\(certificates.serverKeyFile)",
        ]
        let (executable, arguments) = serverUser.commandLine(server)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // Appending, as mariadbd does once it has opened `--log-error` (its first warnings come before).
        let descriptor = open(logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(logPath): errno \(errno)") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        serverProcess.withLock { $0 = process }
        let ready = eventually(timeout: 60) {
            guard process.isRunning else { return true }
            let probe = try? BinaryRunner(path: adminPath).run(rootOptions + ["--connect-timeout=5", "ping"], timeout: 10)
            return probe?.status == 0
        }
        guard ready, process.isRunning else {
            stopServer()
            throw Failure(description: "the MariaDB server did not start: \(self.log)")
        }
    }

    /// Stops the server (SIGTERM, which cuts connected clients off) but keeps
    /// its data: an outage, for tests that start it again.
    public func stopServer() {
        guard let process = serverProcess.withLock({ $0 }), process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if !eventually(timeout: 60, { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Stops the server and removes its directory.
    public func stop() {
        stopServer()
        directory.remove()
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// A new, empty database (with the server's default character set,
    /// latin1); its name.
    public func createDatabase() throws -> String {
        let name = "dsari_\(UUID().uuidString.prefix(8).lowercased())"
        try sql("CREATE DATABASE `\(name)`")
        return name
    }

    /// The `database.connection` mapping for `database`: over TCP, as `user`
    /// with the password, without TLS options.
    public func connection(database: String) -> [String: String] {
        ["host": "127.0.0.1", "port": String(port), "user": user, "passwd": password, "db": database]
    }

    /// Runs SQL (one statement or several) with the mariadb client over the
    /// socket as root, in `database` if given; what it prints (tab-separated,
    /// without column names). The client's character set is utf8mb4 (the
    /// server's default stays latin1), so that `sql` reaches it as written.
    @discardableResult
    public func sql(_ sql: String, database: String? = nil) throws -> String {
        let arguments =
            rootOptions + ["--default-character-set=utf8mb4", "--batch", "--skip-column-names"]
            + (database.map { ["--database=\($0)"] } ?? []) + ["--execute", sql]
        let result = try BinaryRunner(path: clientPath).run(arguments, timeout: 120)
        guard result.status == 0, !result.timedOut else {
            throw Failure(description: "mariadb (\(result.timedOut ? "timed out" : "\(result.status)")): \(result.standardError)")
        }
        return result.standardOutput
    }

    /// The mariadb and mariadb-admin options for root over the socket: each
    /// given, so that neither option files nor MYSQL_HOST or MYSQL_PWD in the
    /// environment change them.
    private var rootOptions: [String] {
        ["--no-defaults", "--protocol=socket", "--host=localhost", "--socket=\(socketPath)", "--user=root", "--password="]
    }

    /// Runs `path` as the server's user (`mysql` when root), in the server's directory.
    private func runAsServerUser(_ path: String, _ arguments: [String]) throws {
        let result = try serverUser.run([path] + arguments, currentDirectory: directory.path)
        guard result.status == 0 else {
            let tool = (path as NSString).lastPathComponent
            throw Failure(description: "\(tool) failed (\(result.status)): \(result.standardError) \(result.standardOutput)\n\(log)")
        }
    }
}

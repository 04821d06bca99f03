import DsariCore
import DsariStore
import Foundation

/// Which database a test's daemon and tools record into: the SQLite file
/// of its DSARI_HOME, or a fresh database on the test process's PostgreSQL
/// server (`PostgresServer.shared`) or MariaDB server
/// (`MariaDBServer.shared`). Tests that hold for every backend take a
/// `StoreBackend.Kind` argument.
public enum StoreBackend: Sendable {
    case sqlite
    case postgresql(dsn: String)
    case mysql(MySQLConnectionOptions)

    public enum Kind: String, CaseIterable, Sendable, CustomStringConvertible {
        case sqlite
        case postgresql
        case mysql

        /// A backend of this kind with nothing recorded yet.
        public func make() throws -> StoreBackend {
            switch self {
            case .sqlite:
                return .sqlite
            case .postgresql:
                return .postgresql(dsn: try PostgresServer.shared.createDatabase())
            case .mysql:
                let server = try MariaDBServer.shared
                return .mysql(server.options(database: try server.createDatabase()))
            }
        }

        public var description: String { rawValue }
    }

    /// The `database` lines a configuration needs for it (none for SQLite,
    /// the default), for a file of its own in `config.d/` so that tests that
    /// rewrite `dsari.yaml` keep them.
    public var configLines: String? {
        switch self {
        case .sqlite: nil
        case .postgresql(let dsn): "database:\n  type: postgresql\n  dsn: '\(dsn)'\n  connect_timeout: 60\n"
        case .mysql(let options):
            """
            database:
              type: mysql
              connection: {host: '\(options.host ?? "")', port: \(options.port ?? 3306), user: '\(options.user ?? "")', \
            passwd: '\(options.password ?? "")', db: '\(options.database ?? "")'}
              connect_timeout: 60

            """
        }
    }

    /// The store a daemon with `databasePath` (its SQLite file) and
    /// `hostName` records into, opened as a reader would; nil while a SQLite
    /// file does not exist yet.
    public func openStore(databasePath: String, hostName: String) throws -> (any RunStore)? {
        switch self {
        case .sqlite:
            guard FileManager.default.fileExists(atPath: databasePath) else { return nil }
            return try SQLiteRunStore(path: databasePath, hostName: hostName)
        case .postgresql(let dsn):
            let store = try PostgresRunStore(dsn: dsn, hostName: hostName, readOnly: true)
            return try store.isSetUp() ? store : nil
        case .mysql(let options):
            let store = try MySQLRunStore(options: options, hostName: hostName, readOnly: true)
            return try store.isSetUp() ? store : nil
        }
    }
}

extension MariaDBServer {
    /// The `database.connection` for `database`, over TCP with the password.
    public func options(database: String) -> MySQLConnectionOptions {
        MySQLConnectionOptions(host: "127.0.0.1", port: Int(port), user: user, password: password, database: database)
    }
}

/// A database server a test starts for itself, to stop and start it again
/// (an outage) without touching the servers other tests share.
public protocol TestDatabaseServer: Sendable {
    /// The password of its test user (which must appear in no log).
    var password: String { get }
    /// Stops the server, keeping its data.
    func stopServer()
    /// Starts it again after `stopServer()`.
    func start() throws
    /// Stops it and removes its data.
    func stop()
    /// A fresh database on it, as a backend.
    func freshBackend() throws -> StoreBackend
}

extension PostgresServer: TestDatabaseServer {
    public func freshBackend() throws -> StoreBackend { .postgresql(dsn: try createDatabase()) }
}

extension MariaDBServer: TestDatabaseServer {
    public func freshBackend() throws -> StoreBackend { .mysql(options(database: try createDatabase())) }
}

extension StoreBackend.Kind {
    /// The server backends: those a test can start a server of its own for.
    public static let servers: [StoreBackend.Kind] = [.postgresql, .mysql]

    /// A new server of this kind, for one test (nil for SQLite).
    public func ownServer() throws -> (any TestDatabaseServer)? {
        switch self {
        case .sqlite: nil
        case .postgresql: try PostgresServer()
        case .mysql: try MariaDBServer()
        }
    }
}

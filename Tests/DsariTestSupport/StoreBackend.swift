import DsariCore
import DsariStore
import Foundation

/// Which database a test's daemon and tools record into: the SQLite file
/// of its DSARI_HOME, or a fresh database on the test process's PostgreSQL
/// server (`PostgresServer.shared`). Tests that hold for every backend take
/// a `StoreBackend.Kind` argument.
public enum StoreBackend: Sendable {
    case sqlite
    case postgresql(dsn: String)

    public enum Kind: String, CaseIterable, Sendable, CustomStringConvertible {
        case sqlite
        case postgresql

        /// A backend of this kind with nothing recorded yet.
        public func make() throws -> StoreBackend {
            switch self {
            case .sqlite: .sqlite
            case .postgresql: .postgresql(dsn: try PostgresServer.shared.createDatabase())
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
        }
    }
}

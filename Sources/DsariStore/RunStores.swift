import DsariCore
import Foundation

/// Opens the run store the `database` configuration names — the one place
/// that knows which backends exist.
public enum RunStores {
    /// What the opener is for: the daemon writes (and migrates); every
    /// other program only reads.
    public enum Access: Sendable {
        case write
        case read
    }

    /// Opens the store for `config` (its `database` and `host_name`). For
    /// reading, nil when there is no history yet (no SQLite file, or a
    /// PostgreSQL or MySQL database no dsari-swift daemon has set up: nothing has run). A server that cannot be reached is tried again for
    /// `database.connect_timeout` seconds, `waiting` told of each failure.
    public static func open(
        _ config: Config, access: Access, applicationName: String = "dsari", waiting: (RunStoreError) -> Void = { _ in }
    ) throws -> (any RunStore)? {
        switch config.database.type {
        case DatabaseConfig.postgresql:
            let store = try PostgresRunStore(
                dsn: config.database.dsn ?? "", hostName: config.hostName, readOnly: access == .read, applicationName: applicationName,
                // The daemon waits for the server; the tools answer at once.
                connectTimeout: access == .write ? config.database.connectTimeout : 0, waiting: waiting)
            // Before a daemon has set the database up, nothing has run (as without a SQLite file).
            if access == .read, try !store.isSetUp() { return nil }
            return store
        case DatabaseConfig.mysql:
            let store = try MySQLRunStore(
                options: config.database.mysql, hostName: config.hostName, readOnly: access == .read,
                connectTimeout: access == .write ? config.database.connectTimeout : 0, waiting: waiting)
            if access == .read, try !store.isSetUp() { return nil }
            return store
        default:
            if access == .read, !FileManager.default.fileExists(atPath: config.databaseFile) { return nil }
            return try SQLiteRunStore(path: config.databaseFile, hostName: config.hostName, readOnly: access == .read)
        }
    }

    /// The database in words, for messages: the SQLite file, or PostgreSQL's
    /// host and database (never the password).
    public static func describe(_ config: Config) -> String {
        switch config.database.type {
        case DatabaseConfig.postgresql: "PostgreSQL database (\(DatabaseConfig.redactingPasswords(config.database.dsn ?? "")))"
        case DatabaseConfig.mysql: "MySQL database (\(config.database.mysql.description))"
        default: config.databaseFile
        }
    }
}

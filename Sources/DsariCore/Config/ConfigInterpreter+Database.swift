import Foundation

/// `database`: the backend and its connection settings.
extension ConfigInterpreter {

    mutating func database(_ node: ConfigNode) throws -> DatabaseConfig {
        guard case .mapping(let entries) = node.value else {
            throw typeError(
                node, key: "database", expected: "a mapping with \"type\" and \"file\"", subject: nil)
        }
        var reading = DatabaseReading()
        var unknown: [ConfigValue.Entry] = []
        for entry in entries {
            if let read = Self.databaseReaders[entry.key] {
                try read(&self, &reading, entry.value, entry.key)
            } else {
                // Reported below, once the type is known to be supported.
                unknown.append(entry)
            }
        }
        let database = reading.database
        let typeNode = reading.typeNode
        guard DatabaseConfig.supportedTypes.contains(database.type) else {
            throw ConfigError(
                "database type \(database.type.quotedForMessage) is not supported; supported: "
                    + DatabaseConfig.supportedTypes.joined(separator: ", "),
                location: typeNode?.location ?? node.location, key: "type",
                expected: DatabaseConfig.supportedTypes.joined(separator: " or "))
        }
        if database.type == DatabaseConfig.postgresql, (database.dsn ?? "").isEmpty {
            throw ConfigError(
                "database type \"postgresql\" needs \"dsn\" (a libpq connection string, e.g. \"host=db1 dbname=dsari user=dsari\")",
                location: node.location, key: "dsn", expected: "a libpq connection string or URI")
        }
        for entry in unknown {
            warnUnknown(entry, known: Self.databaseKeys, subject: nil, inside: "database")
        }
        return database
    }

    /// `database.connection` (MySQL): `MySQLdb.connect`'s keyword arguments.
    /// Values are never quoted back in errors (a password may be among them).
    mutating func mysqlConnection(_ node: ConfigNode) throws -> MySQLConnectionOptions {
        let parent = Self.mysqlParent
        guard case .mapping(let entries) = node.value else {
            throw typeError(
                node, key: "connection", expected: "a mapping of MySQLdb.connect's arguments (host, port, user, passwd, db, …)",
                subject: nil, secret: true, inside: "database")
        }
        var options = MySQLConnectionOptions()
        for entry in entries {
            if let read = Self.mysqlConnectionReaders[entry.key] {
                try read(&self, &options, entry.value, entry.key)
            } else {
                warnUnknown(entry, known: ConfigKeys.names(in: .mysqlConnection), subject: nil, inside: parent)
            }
        }
        return options
    }

    // MARK: The readers `ConfigKeys` gives database and database.connection keys

    static let mysqlParent = "database.connection"

    func databaseType(_ node: ConfigNode, key: String) throws -> String {
        guard case .string(let type) = node.value else {
            throw typeError(node, key: key, expected: "a database type (a string)", subject: nil, inside: "database")
        }
        return type
    }

    /// `dsn`: never quoted back in an error, it may hold a password.
    func databaseDSN(_ node: ConfigNode, key: String) throws -> String {
        guard case .string(let dsn) = node.value else {
            throw typeError(
                node, key: key, expected: "a libpq connection string or URI (a string)", subject: nil, secret: true, inside: "database")
        }
        return dsn
    }

    func databaseConnectTimeout(_ node: ConfigNode, key: String) throws -> Double {
        let seconds = try number(node, key: key, subject: nil, expected: "seconds (a number, 0 or more)")
        guard seconds >= 0, seconds.isFinite else {
            throw typeError(node, key: key, expected: "seconds (a number, 0 or more)", subject: nil, inside: "database")
        }
        return seconds
    }

    /// A `database.connection` string (never quoted back: a password may be among them).
    func mysqlText(_ node: ConfigNode, key: String, inside parent: String = mysqlParent) throws -> String {
        guard case .string(let value) = node.value else {
            throw typeError(node, key: key, expected: "a string", subject: nil, secret: true, inside: parent)
        }
        return value
    }

    func mysqlWhole(_ node: ConfigNode, key: String, _ range: ClosedRange<Int64>, _ expected: String) throws -> Int {
        guard case .int(let value) = node.value, range.contains(value) else {
            throw typeError(node, key: key, expected: expected, subject: nil, inside: Self.mysqlParent)
        }
        return Int(value)
    }

    func mysqlPath(_ node: ConfigNode, key: String, inside parent: String = mysqlParent) throws -> String {
        try path(node, key: key, subject: nil, inside: parent)
    }

    /// `read_default_file`: "~/.my.cnf", as the MySQL tools write it, is
    /// kept for the store to expand (the running user's HOME).
    func mysqlOptionFile(_ node: ConfigNode, key: String) throws -> String {
        let written = try mysqlText(node, key: key)
        return written.hasPrefix("~/") ? written : try mysqlPath(node, key: key)
    }

    /// `charset`: job names, output and JSON must keep every character (emoji included).
    func mysqlCharset(_ node: ConfigNode, key: String) throws {
        guard case .string(let charset) = node.value, charset.lowercased() == "utf8mb4" else {
            throw typeError(node, key: key, expected: "\"utf8mb4\" (dsari-swift always uses it)", subject: nil, inside: Self.mysqlParent)
        }
    }

    /// `ssl`: {ca, capath, cert, key, cipher}.
    mutating func mysqlTLS(_ node: ConfigNode, key: String) throws -> MySQLConnectionOptions.TLS {
        let parent = Self.mysqlParent + ".ssl"
        guard case .mapping(let items) = node.value else {
            throw typeError(
                node, key: key, expected: "a mapping with ca, cert, key, capath, cipher", subject: nil, inside: Self.mysqlParent)
        }
        var tls = MySQLConnectionOptions.TLS()
        for item in items {
            switch item.key {
            case "ca": tls.ca = try mysqlPath(item.value, key: "ca", inside: parent)
            case "capath": tls.capath = try mysqlPath(item.value, key: "capath", inside: parent)
            case "cert": tls.cert = try mysqlPath(item.value, key: "cert", inside: parent)
            case "key": tls.key = try mysqlPath(item.value, key: "key", inside: parent)
            case "cipher": tls.cipher = try mysqlText(item.value, key: item.key, inside: parent)
            default: warnUnknown(item, known: MySQLConnectionOptions.TLS.keys, subject: nil, inside: parent)
            }
        }
        return tls
    }
}

import Foundation

/// `database`: the backend and its connection settings.
extension ConfigInterpreter {

    mutating func database(_ node: ConfigNode) throws -> DatabaseConfig {
        guard case .mapping(let entries) = node.value else {
            throw typeError(
                node, key: "database", expected: "a mapping with \"type\" and \"file\"", subject: nil)
        }
        var database = DatabaseConfig()
        var typeNode: ConfigNode?
        var unknown: [ConfigValue.Entry] = []
        for entry in entries {
            switch entry.key {
            case "type":
                guard case .string(let type) = entry.value.value else {
                    throw typeError(
                        entry.value, key: "type", expected: "a database type (a string)", subject: nil,
                        inside: "database")
                }
                database.type = type
                typeNode = entry.value
            case "file":
                database.file =
                    entry.value.value.isNull
                    ? nil : try path(entry.value, key: "file", subject: nil, inside: "database")
            case "dsn":
                // Never quoted back in an error: it may hold a password.
                guard case .string(let dsn) = entry.value.value else {
                    throw typeError(
                        entry.value, key: "dsn", expected: "a libpq connection string or URI (a string)", subject: nil, secret: true,
                        inside: "database")
                }
                database.dsn = dsn
            case "connection":
                database.mysql = try mysqlConnection(entry.value)
            case "connect_timeout":
                let seconds = try number(entry.value, key: "connect_timeout", subject: nil, expected: "seconds (a number, 0 or more)")
                guard seconds >= 0, seconds.isFinite else {
                    throw typeError(
                        entry.value, key: "connect_timeout", expected: "seconds (a number, 0 or more)", subject: nil, inside: "database")
                }
                database.connectTimeout = seconds
            default:
                // Reported below, once the type is known to be supported.
                unknown.append(entry)
            }
        }
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
        let parent = "database.connection"
        guard case .mapping(let entries) = node.value else {
            throw typeError(
                node, key: "connection", expected: "a mapping of MySQLdb.connect's arguments (host, port, user, passwd, db, …)",
                subject: nil, secret: true, inside: "database")
        }
        var options = MySQLConnectionOptions()
        func text(_ entry: ConfigValue.Entry) throws -> String {
            guard case .string(let value) = entry.value.value else {
                throw typeError(entry.value, key: entry.key, expected: "a string", subject: nil, secret: true, inside: parent)
            }
            return value
        }
        func whole(_ entry: ConfigValue.Entry, _ range: ClosedRange<Int64>, _ expected: String) throws -> Int {
            guard case .int(let value) = entry.value.value, range.contains(value) else {
                throw typeError(entry.value, key: entry.key, expected: expected, subject: nil, inside: parent)
            }
            return Int(value)
        }
        for entry in entries {
            switch entry.key {
            case "host": options.host = try text(entry)
            case "port": options.port = try whole(entry, 1...65535, "a port number (1 to 65535)")
            case "user": options.user = try text(entry)
            case "passwd", "password": options.password = try text(entry)
            case "db", "database": options.database = try text(entry)
            case "unix_socket": options.unixSocket = try path(entry.value, key: entry.key, subject: nil, inside: parent)
            case "read_default_file":
                // "~/.my.cnf", as the MySQL tools write it, is kept for the store to expand (the running user's HOME).
                let written = try text(entry)
                options.readDefaultFile =
                    written.hasPrefix("~/") ? written : try path(entry.value, key: entry.key, subject: nil, inside: parent)
            case "read_default_group": options.readDefaultGroup = try text(entry)
            case "connect_timeout": options.connectTimeout = try whole(entry, 1...3600, "seconds per attempt (a whole number, 1 to 3600)")
            case "charset":
                // Job names, output and JSON must keep every character (emoji included).
                guard case .string(let charset) = entry.value.value, charset.lowercased() == "utf8mb4" else {
                    throw typeError(
                        entry.value, key: entry.key, expected: "\"utf8mb4\" (dsari-swift always uses it)", subject: nil, inside: parent)
                }
            case "ssl":
                guard case .mapping(let items) = entry.value.value else {
                    throw typeError(
                        entry.value, key: "ssl", expected: "a mapping with ca, cert, key, capath, cipher", subject: nil, inside: parent)
                }
                var tls = MySQLConnectionOptions.TLS()
                for item in items {
                    switch item.key {
                    case "ca": tls.ca = try path(item.value, key: "ca", subject: nil, inside: parent + ".ssl")
                    case "capath": tls.capath = try path(item.value, key: "capath", subject: nil, inside: parent + ".ssl")
                    case "cert": tls.cert = try path(item.value, key: "cert", subject: nil, inside: parent + ".ssl")
                    case "key": tls.key = try path(item.value, key: "key", subject: nil, inside: parent + ".ssl")
                    case "cipher": tls.cipher = try text(item)
                    default: warnUnknown(item, known: MySQLConnectionOptions.TLS.keys, subject: nil, inside: parent + ".ssl")
                    }
                }
                options.tls = tls
            default:
                warnUnknown(entry, known: ConfigKeys.names(in: .mysqlConnection), subject: nil, inside: parent)
            }
        }
        return options
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// The `database` option: where runs are recorded. As dsari 2.0:
/// `{type: sqlite3, file: …}` (the default), `{type: postgresql, dsn: …}`
/// or `{type: mysql, connection: {…}}`; dsari's `mongodb` is refused at
/// load time with the list of supported types.
public struct DatabaseConfig: Sendable, Hashable {
    public static let sqlite3 = "sqlite3"
    public static let postgresql = "postgresql"
    public static let mysql = "mysql"
    /// What `database.type` may be, in the order messages list them.
    static let supportedTypes = [sqlite3, postgresql, mysql]

    public var type: String
    /// The SQLite file; nil means `DATA_DIR/dsari.sqlite3`.
    public var file: String?
    /// PostgreSQL: a libpq connection string or URI.
    public var dsn: String?
    /// MySQL/MariaDB: the `connection` mapping (`MySQLdb.connect`'s keys).
    public var mysql = MySQLConnectionOptions()
    /// How long a daemon or tool waits at start for a database server that
    /// cannot be reached, in seconds.
    public var connectTimeout: Double

    public static let defaultConnectTimeout = 30.0

    public init(
        type: String = DatabaseConfig.sqlite3, file: String? = nil, dsn: String? = nil, connectTimeout: Double = defaultConnectTimeout
    ) {
        self.type = type
        self.file = file
        self.dsn = dsn
        self.connectTimeout = connectTimeout
    }

    /// `dsn` with its password replaced by `***`, for messages and `config
    /// dump`: `password=…` in a connection string (quoted or not), the
    /// password of a `postgresql://user:password@host/` URI.
    public static func redactingPasswords(_ dsn: String) -> String {
        if let scheme = dsn.range(of: "://") {
            let rest = dsn[scheme.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            guard let at = authority.lastIndex(of: "@") else { return dsn }
            let credentials = authority[..<at]
            guard let colon = credentials.firstIndex(of: ":") else { return dsn }
            return String(dsn[..<colon]) + ":***" + String(dsn[at...])
        }
        var result = ""
        var rest = Substring(dsn)
        while let match = rest.range(of: "password") {
            let before = rest[..<match.lowerBound]
            let isKeyword = before.last.map { $0 == " " || $0 == "\t" } ?? true
            var after = rest[match.upperBound...].drop { $0 == " " }
            guard isKeyword, after.first == "=" else {
                result += rest[..<match.upperBound]
                rest = rest[match.upperBound...]
                continue
            }
            after = after.dropFirst().drop { $0 == " " }
            result += before + "password=***"
            if after.first == "'" {
                // A quoted value: up to the closing quote, backslash escapes.
                var index = after.index(after: after.startIndex)
                while index < after.endIndex, after[index] != "'" {
                    index =
                        after.index(after[index] == "\\" ? after.index(after: index) : index, offsetBy: 1, limitedBy: after.endIndex)
                        ?? after.endIndex
                }
                rest = index < after.endIndex ? after[after.index(after: index)...] : after[after.endIndex...]
            } else {
                rest = after.drop { $0 != " " && $0 != "\t" }
            }
        }
        return result + rest
    }

    /// `database` as `config dump` shows it: what the backend uses,
    /// passwords as `***`; `databaseFile` is the SQLite file in use.
    func dumpValue(databaseFile: String) -> ConfigValue {
        switch type {
        case DatabaseConfig.postgresql:
            return [
                "type": .string(type),
                "dsn": .string(DatabaseConfig.redactingPasswords(dsn ?? "")),
                "connect_timeout": .double(connectTimeout),
            ]
        case DatabaseConfig.mysql:
            var connection: [(String, ConfigValue)] = []
            func add(_ key: String, _ value: String?) { if let value { connection.append((key, .string(value))) } }
            add("host", mysql.host)
            if let port = mysql.port { connection.append(("port", .int(Int64(port)))) }
            add("user", mysql.user)
            add("passwd", mysql.password.map { _ in "***" })
            add("db", mysql.database)
            add("unix_socket", mysql.unixSocket)
            add("read_default_file", mysql.readDefaultFile)
            add("read_default_group", mysql.readDefaultGroup)
            if let seconds = mysql.connectTimeout { connection.append(("connect_timeout", .int(Int64(seconds)))) }
            if let tls = mysql.tls {
                let keys: [(String, String?)] = [
                    ("ca", tls.ca), ("capath", tls.capath), ("cert", tls.cert), ("key", tls.key), ("cipher", tls.cipher),
                ]
                let entries = keys.compactMap { key, value in value.map { ConfigValue.Entry(key: key, value: ConfigNode(.string($0))) } }
                connection.append(("ssl", .mapping(entries)))
            }
            return [
                "type": .string(type),
                "connection": .mapping(connection.map { ConfigValue.Entry(key: $0.0, value: ConfigNode($0.1)) }),
                "connect_timeout": .double(connectTimeout),
            ]
        default:
            return ["type": .string(type), "file": .string(databaseFile)]
        }
    }

    /// The machine's host name: the default `host_name`.
    public static func machineHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

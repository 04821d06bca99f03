/// `database.connection` for `type: mysql`: the keyword arguments dsari 2.0
/// passed to `MySQLdb.connect(**connection)` (mysqlclient), those a
/// run store can use. Unset values take MariaDB Connector/C's defaults (and
/// those of `read_default_file`): the local server's socket, the user
/// running the program.
public struct MySQLConnectionOptions: Sendable, Hashable {
    public var host: String?
    public var port: Int?
    public var user: String?
    /// `passwd` (or `password`); never shown in messages or `config dump`.
    public var password: String?
    /// `db` (or `database`).
    public var database: String?
    public var unixSocket: String?
    /// An option file (`~/.my.cnf` style) read for unset values, and its group.
    public var readDefaultFile: String?
    public var readDefaultGroup: String?
    /// Seconds one connection attempt may take (`database.connect_timeout`
    /// is how long the daemon keeps trying).
    public var connectTimeout: Int?
    /// `ssl: {ca, cert, key, capath, cipher}`: TLS, as mysqlclient's `ssl`;
    /// with `ca` or `capath` the server's certificate is verified.
    public var tls: TLS?

    public struct TLS: Sendable, Hashable {
        public var ca: String?
        public var capath: String?
        public var cert: String?
        public var key: String?
        public var cipher: String?

        public init(ca: String? = nil, capath: String? = nil, cert: String? = nil, key: String? = nil, cipher: String? = nil) {
            self.ca = ca
            self.capath = capath
            self.cert = cert
            self.key = key
            self.cipher = cipher
        }

        /// The keys of the `ssl` mapping.
        public static let keys = ["ca", "capath", "cert", "key", "cipher"]
    }

    public init(
        host: String? = nil, port: Int? = nil, user: String? = nil, password: String? = nil, database: String? = nil,
        unixSocket: String? = nil, readDefaultFile: String? = nil, readDefaultGroup: String? = nil, connectTimeout: Int? = nil,
        tls: TLS? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.unixSocket = unixSocket
        self.readDefaultFile = readDefaultFile
        self.readDefaultGroup = readDefaultGroup
        self.connectTimeout = connectTimeout
        self.tls = tls
    }

    /// "user@host:port/db" (or the socket), for messages: never the password.
    public var description: String {
        let place = unixSocket.map { "socket \($0)" } ?? "\(host ?? "localhost")\(port.map { ":\($0)" } ?? "")"
        return "\(user.map { $0 + "@" } ?? "")\(place)/\(database ?? "")"
    }
}

import Foundation

/// The web configuration file of Prometheus exporters (exporter-toolkit's
/// `--web.config.file`), read for `dsari-prometheus-exporter
/// --web.config.file` and the daemon's `http_web_config`: TLS for the
/// endpoints and basic-auth users with bcrypt hashes.
///
/// ```yaml
/// tls_server_config:
///   cert_file: server.crt          # relative paths: to this file's directory
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert
///   client_ca_file: clients-ca.crt
///   min_version: TLS12
/// basic_auth_users:
///   prometheus: $2y$10$…           # htpasswd -nbB prometheus PASSWORD
/// ```
///
/// Keys exporter-toolkit has and libmicrohttpd cannot honour
/// (`cipher_suites`, `curve_preferences` — Go's names —, `client_allowed_sans`,
/// `http_server_config.headers`) are refused by name rather than ignored: a
/// security setting silently dropped would be worse than a refusal.
public struct WebConfig: Sendable, Hashable {
    public var tls: TLSServer?
    /// User name → bcrypt hash (`$2y$`, `$2b$`, `$2a$`).
    public var basicAuthUsers: [String: String]

    public init(tls: TLSServer? = nil, basicAuthUsers: [String: String] = [:]) {
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
    }

    /// `tls_server_config`.
    public struct TLSServer: Sendable, Hashable {
        /// Absolute paths (relative ones are resolved against the web config's directory).
        public var certificateFile: String
        public var keyFile: String
        public var clientAuth: ClientAuth
        public var clientCAFile: String?
        public var minVersion: TLSVersion
        public var maxVersion: TLSVersion?
    }

    /// `client_auth_type`, Go's `tls.ClientAuthType` names.
    public enum ClientAuth: String, Sendable, Hashable, CaseIterable {
        case noClientCert = "NoClientCert"
        case requestClientCert = "RequestClientCert"
        case requireAnyClientCert = "RequireAnyClientCert"
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

        /// Whether a request without a client certificate is refused.
        public var requiresCertificate: Bool { self == .requireAnyClientCert || self == .requireAndVerifyClientCert }
        /// Whether a presented certificate must verify against `client_ca_file`.
        public var verifiesCertificate: Bool { self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert }
    }

    /// `min_version`/`max_version`.
    public enum TLSVersion: String, Sendable, Hashable, CaseIterable, Comparable {
        case tls10 = "TLS10"
        case tls11 = "TLS11"
        case tls12 = "TLS12"
        case tls13 = "TLS13"

        /// GnuTLS's name of the version.
        var gnuTLSName: String {
            switch self {
            case .tls10: "VERS-TLS1.0"
            case .tls11: "VERS-TLS1.1"
            case .tls12: "VERS-TLS1.2"
            case .tls13: "VERS-TLS1.3"
            }
        }

        public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// The GnuTLS priority string that allows exactly the versions from
    /// `minVersion` to `maxVersion` (or the newest).
    public static func gnuTLSPriorities(_ tls: TLSServer) -> String {
        let allowed = TLSVersion.allCases.filter { version in version >= tls.minVersion && version <= (tls.maxVersion ?? .tls13) }
        return "NORMAL:-VERS-ALL:" + allowed.map { "+" + $0.gnuTLSName }.joined(separator: ":")
    }

    /// Reads and checks the file. An empty file is a valid configuration
    /// (no TLS, no users), as for exporter-toolkit.
    /// - Throws: `ConfigError` naming the file, the line and the key.
    public static func read(path: String) throws -> WebConfig {
        let root = try ConfigFileReader.read(path: path, format: .yaml)
        let directory = (path as NSString).deletingLastPathComponent
        var config = WebConfig()
        guard case .mapping(let entries) = root.value else {
            if case .null = root.value { return config }
            throw ConfigError("the web configuration must be a mapping, not \(root.value.kind)", location: root.location)
        }
        for entry in entries {
            switch entry.key {
            case "tls_server_config":
                config.tls = try readTLS(entry.value, directory: directory)
            case "basic_auth_users":
                config.basicAuthUsers = try readUsers(entry.value)
            case "http_server_config":
                try checkHTTPServerConfig(entry.value)
            default:
                throw unknownKey(entry, among: ["tls_server_config", "basic_auth_users", "http_server_config"], in: nil)
            }
        }
        return config
    }

    private static let tlsKeys = [
        "cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version", "prefer_server_cipher_suites",
    ]
    /// exporter-toolkit's keys that libmicrohttpd (GnuTLS) cannot honour, and why.
    private static let refusedTLSKeys = [
        "cipher_suites": "Go's cipher suite names have no GnuTLS equivalent here; GnuTLS's NORMAL set is used",
        "curve_preferences": "Go's curve names have no GnuTLS equivalent here; GnuTLS's NORMAL set is used",
        "client_allowed_sans": "libmicrohttpd gives no hook to match a client certificate's names",
        "cert": "give the certificate as a file (cert_file)",
        "key": "give the key as a file (key_file)",
        "client_ca": "give the client CA as a file (client_ca_file)",
    ]

    private static func readTLS(_ node: ConfigNode, directory: String) throws -> TLSServer? {
        if case .null = node.value { return nil }
        let entries = try mapping(node, key: "tls_server_config")
        var strings: [String: (String, ConfigNode)] = [:]
        for entry in entries {
            if let reason = refusedTLSKeys[entry.key] {
                throw ConfigError(
                    "\"tls_server_config.\(entry.key)\" is not supported by dsari: \(reason)", location: entry.keyLocation ?? node.location,
                    key: entry.key)
            }
            guard tlsKeys.contains(entry.key) else {
                throw unknownKey(entry, among: tlsKeys + refusedTLSKeys.keys, in: "tls_server_config")
            }
            if entry.key == "prefer_server_cipher_suites" {
                // Accepted for compatibility; Go itself ignores it since 1.18.
                guard case .bool = entry.value.value else {
                    throw wrongType(entry, expected: "true or false", in: "tls_server_config")
                }
                continue
            }
            guard case .string(let text) = entry.value.value else { throw wrongType(entry, expected: "a string", in: "tls_server_config") }
            strings[entry.key] = (text, entry.value)
        }
        func path(_ key: String) -> String? {
            guard let text = strings[key]?.0, !text.isEmpty else { return nil }
            return text.hasPrefix("/") ? text : (directory as NSString).appendingPathComponent(text)
        }
        guard let certificate = path("cert_file") else {
            throw ConfigError("\"tls_server_config\" needs \"cert_file\" (the server's certificate, PEM)", location: node.location)
        }
        guard let key = path("key_file") else {
            throw ConfigError("\"tls_server_config\" needs \"key_file\" (the server's private key, PEM)", location: node.location)
        }
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T? where T.RawValue == String {
            guard let (text, valueNode) = strings[key], !text.isEmpty else { return nil }
            guard let value = T(rawValue: text) else {
                throw ConfigError(
                    "\"tls_server_config.\(key)\" \(text.quotedForMessage) is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))",
                    location: valueNode.location, key: key)
            }
            return value
        }
        let clientAuth = try choice("client_auth_type", ClientAuth.self) ?? .noClientCert
        let clientCA = path("client_ca_file")
        if clientCA != nil, clientAuth == .noClientCert {
            // exporter-toolkit's own rule.
            throw ConfigError(
                "\"tls_server_config.client_ca_file\" is set but \"client_auth_type\" is NoClientCert: client CAs have been configured without a client auth policy",
                location: strings["client_ca_file"]?.1.location, key: "client_ca_file")
        }
        if clientAuth != .noClientCert, clientCA == nil {
            // libmicrohttpd asks a client for a certificate only when it has a trust list.
            throw ConfigError(
                "\"tls_server_config.client_auth_type\" \(clientAuth.rawValue) needs \"client_ca_file\" in dsari: libmicrohttpd asks clients for a certificate only with a client CA",
                location: strings["client_auth_type"]?.1.location, key: "client_auth_type")
        }
        let minVersion = try choice("min_version", TLSVersion.self) ?? .tls12
        let maxVersion = try choice("max_version", TLSVersion.self)
        if let maxVersion, maxVersion < minVersion {
            throw ConfigError(
                "\"tls_server_config.max_version\" \(maxVersion.rawValue) is older than \"min_version\" \(minVersion.rawValue)",
                location: strings["max_version"]?.1.location, key: "max_version")
        }
        return TLSServer(
            certificateFile: certificate, keyFile: key, clientAuth: clientAuth, clientCAFile: clientCA, minVersion: minVersion,
            maxVersion: maxVersion)
    }

    private static func readUsers(_ node: ConfigNode) throws -> [String: String] {
        if case .null = node.value { return [:] }
        var users: [String: String] = [:]
        for entry in try mapping(node, key: "basic_auth_users") {
            guard case .string(let hash) = entry.value.value else {
                throw ConfigError(
                    "\"basic_auth_users\": the password of \(entry.key.quotedForMessage) must be a bcrypt hash string, not \(entry.value.value.kind)",
                    location: entry.value.location, key: entry.key)
            }
            guard isBcryptHash(hash) else {
                throw ConfigError(
                    "\"basic_auth_users\": the password of \(entry.key.quotedForMessage) is not a bcrypt hash ($2y$, $2b$ or $2a$, e.g. from htpasswd -nbB)",
                    location: entry.value.location, key: entry.key)
            }
            users[entry.key] = hash
        }
        return users
    }

    /// `$2a$`, `$2b$` or `$2y$`, a two-digit cost 04–31, `$`, and 53 characters of bcrypt's base64.
    static func isBcryptHash(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]), bytes[3] == UInt8(ascii: "$"),
            bytes[6] == UInt8(ascii: "$"), let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost)
        else { return false }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return bytes[7...].allSatisfy { alphabet.contains($0) }
    }

    private static func checkHTTPServerConfig(_ node: ConfigNode) throws {
        if case .null = node.value { return }
        for entry in try mapping(node, key: "http_server_config") {
            switch entry.key {
            case "http2":
                // exporter-toolkit's switch for HTTP/2; libmicrohttpd serves HTTP/1.1 either way.
                guard case .bool = entry.value.value else { throw wrongType(entry, expected: "true or false", in: "http_server_config") }
            case "headers":
                throw ConfigError(
                    "\"http_server_config.headers\" is not supported by dsari yet (responses carry their own headers only)",
                    location: entry.keyLocation ?? node.location, key: "headers")
            default:
                throw unknownKey(entry, among: ["http2", "headers"], in: "http_server_config")
            }
        }
    }

    private static func mapping(_ node: ConfigNode, key: String) throws -> [ConfigValue.Entry] {
        guard case .mapping(let entries) = node.value else {
            throw ConfigError("\"\(key)\" must be a mapping, not \(node.value.kind)", location: node.location, key: key)
        }
        return entries
    }

    private static func unknownKey(_ entry: ConfigValue.Entry, among known: [String], in section: String?) -> ConfigError {
        let name = section.map { "\($0).\(entry.key)" } ?? entry.key
        var problem = "unknown key \"\(name)\" in the web configuration"
        if let close = ConfigInterpreter.closest(to: entry.key, among: known) { problem += " (did you mean \"\(close)\"?)" }
        return ConfigError(problem, location: entry.keyLocation ?? entry.value.location, key: entry.key)
    }

    private static func wrongType(_ entry: ConfigValue.Entry, expected: String, in section: String) -> ConfigError {
        ConfigError(
            "\"\(section).\(entry.key)\" must be \(expected), not \(entry.value.value.kind)", location: entry.value.location,
            key: entry.key,
            expected: expected)
    }
}

import Foundation

/// Where dsari-daemon submits check results as passive results
/// (`passive_results`): a central Nagios or Icinga keeps its dashboards and
/// notifications while the checks run under dsari.
public struct PassiveDestination: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// NSCA 2.x (protocol 3) to `host:port`.
        case nsca(host: String, port: UInt16, encryption: NSCAEncryption, password: String)
        /// Nagios' external command file (a FIFO, or a file nsca-style readers take).
        case commandFile(path: String)
        /// Nagios' check result spool directory (`check_result_path`).
        case checkResultSpool(directory: String)
        /// The Icinga 2 API (`POST /v1/actions/process-check-result`).
        case icinga2(Icinga2Endpoint)
    }

    /// NSCA's `encryption_method`s dsari speaks.
    public enum NSCAEncryption: Int, Sendable, Hashable, CaseIterable {
        case none = 0
        case xor = 1
    }

    /// The Icinga 2 API and how to authenticate to it.
    public struct Icinga2Endpoint: Sendable, Hashable {
        /// `https://HOST:5665` (no path).
        public var url: String
        /// The CA that signed the API's certificate; nil: the system's CAs.
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
        public var user: String?
        public var password: String?

        public init(
            url: String, caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, user: String? = nil,
            password: String? = nil
        ) {
            self.url = url
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.user = user
            self.password = password
        }
    }

    public var kind: Kind
    /// The `destination` label of its metrics and the name of its queue;
    /// by default `nsca HOST:PORT`, `command_file PATH`, `check_result_path DIR`, `icinga2 URL`.
    public var name: String
    /// Results older than this (seconds since the check ended) are dropped, counted.
    public var maxAge: Double
    /// Seconds one attempt may take (connect, send, answer).
    public var timeout: Double

    public static let defaultMaxAge: Double = 3600
    public static let defaultTimeout: Double = 10

    public init(kind: Kind, name: String? = nil, maxAge: Double = defaultMaxAge, timeout: Double = defaultTimeout) {
        self.kind = kind
        self.name = name ?? Self.defaultName(kind)
        self.maxAge = maxAge
        self.timeout = timeout
    }

    /// The type as configured: `nsca`, `command_file`, `icinga2`.
    public var type: String {
        switch kind {
        case .nsca: "nsca"
        case .commandFile, .checkResultSpool: "command_file"
        case .icinga2: "icinga2"
        }
    }

    static func defaultName(_ kind: Kind) -> String {
        switch kind {
        case .nsca(let host, let port, _, _): "nsca \(host.contains(":") ? "[\(host)]" : host):\(port)"
        case .commandFile(let path): "command_file \(path)"
        case .checkResultSpool(let directory): "check_result_path \(directory)"
        case .icinga2(let endpoint): "icinga2 \(endpoint.url)"
        }
    }

    /// The destination as `config dump` shows it (passwords as `***`).
    public var dumped: ConfigValue {
        var entries: [(String, ConfigValue)] = [("type", .string(type)), ("name", .string(name))]
        switch kind {
        case .nsca(let host, let port, let encryption, let password):
            entries += [
                ("address", .string("\(host.contains(":") ? "[\(host)]" : host):\(port)")),
                ("encryption", .int(Int64(encryption.rawValue))),
                ("password", password.isEmpty ? .string("") : .string("***")),
            ]
        case .commandFile(let path): entries.append(("path", .string(path)))
        case .checkResultSpool(let directory): entries.append(("check_result_path", .string(directory)))
        case .icinga2(let endpoint):
            entries.append(("url", .string(endpoint.url)))
            for (key, value) in [
                ("ca_file", endpoint.caFile), ("cert_file", endpoint.certFile), ("key_file", endpoint.keyFile), ("user", endpoint.user),
            ] {
                entries.append((key, value.map(ConfigValue.string) ?? .null))
            }
            entries.append(("password", endpoint.password == nil ? .null : .string("***")))
        }
        entries += [("max_age", .double(maxAge)), ("timeout", .double(timeout))]
        return .mapping(entries.map { ConfigValue.Entry(key: $0.0, value: ConfigNode($0.1)) })
    }
}

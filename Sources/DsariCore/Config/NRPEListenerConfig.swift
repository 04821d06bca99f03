/// The NRPE listener of dsari-daemon (`nrpe_listen` and the `nrpe_*` keys
/// beside it): check_nrpe asks for a command and gets the latest recorded
/// result of the job that answers for it (`nrpe_command`).
public struct NRPEListenerConfig: Sendable, Hashable {
    /// What a query for a check that has no recorded result yet gets.
    public enum NoResult: String, Sendable, Hashable, CaseIterable {
        /// UNKNOWN, "no result recorded yet" (the default).
        case unknown
        /// The check runs now; the answer waits for it (up to its timeout).
        case run
    }

    /// `nrpe_listen`: HOST:PORT; nil (the default) keeps the listener off.
    public var address: ListenAddress?
    /// `nrpe_allowed_hosts`: addresses, CIDR networks and host names.
    public var allowedHosts: [String] = ["127.0.0.1", "::1"]
    /// `nrpe_allow_arguments`: answer queries with arguments (`check_nrpe
    /// -a`; see `NRPEArguments`) instead of refusing them as NRPE does
    /// without `dont_blame_nrpe`.
    public var allowArguments = false
    /// `nrpe_no_result`.
    public var noResult: NoResult = .unknown
    /// `nrpe_ssl`: TLS as NRPE (true, the default) or plain TCP (`check_nrpe -n`).
    public var ssl = true
    /// `nrpe_ssl_cert_file`, `nrpe_ssl_privatekey_file`, `nrpe_ssl_cacert_file`.
    public var sslCertificateFile: String?
    public var sslPrivateKeyFile: String?
    public var sslCACertificateFile: String?
    /// `nrpe_connection_timeout`: seconds a client has from connecting to the answer.
    public var connectionTimeout: Double = 10

    public init() {}
}

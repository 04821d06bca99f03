import COpenSSL
import Foundation

/// TLS for the NRPE listener (OpenSSL 3), as NRPE 4.1 sets it up:
///
/// - Without a certificate: anonymous Diffie-Hellman (ADH) with NRPE's
///   cipher list `ALL:!MD5:@STRENGTH:@SECLEVEL=0`, TLS 1.2 (TLS 1.3 has no
///   anonymous suites): what a plain `check_nrpe -H host -c cmd` expects.
///   Encrypted, not authenticated — as with NRPE itself.
/// - With `ssl_cert_file` and `ssl_privatekey_file`: the server presents
///   its certificate (TLS 1.2 and 1.3; anonymous suites stay available to
///   older clients, as in NRPE).
/// - With `ssl_cacert_file` as well: clients must present a certificate
///   signed by it (check_nrpe `-C` and `-K`), NRPE's `ssl_client_certs=2`.
///
/// Owns the `SSL_CTX`; sessions are made from it on the listener thread only.
public final class NRPETLSContext: @unchecked Sendable {
    // @unchecked: the context is configured in `init` and afterwards only
    // read by SSL_new on the listener thread.
    private let context: OpaquePointer

    public struct Options: Sendable, Equatable {
        public var certificateFile: String?
        public var privateKeyFile: String?
        public var caCertificateFile: String?
        public var cipherList: String

        public init(
            certificateFile: String? = nil, privateKeyFile: String? = nil, caCertificateFile: String? = nil,
            cipherList: String = "ALL:!MD5:@STRENGTH:@SECLEVEL=0"
        ) {
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
            self.caCertificateFile = caCertificateFile
            self.cipherList = cipherList
        }
    }

    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(options: Options) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw SetupError(description: "SSL_CTX_new: \(Self.lastError())") }
        self.context = context
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw SetupError(description: "\(what): \(Self.lastError())") }
        }
        try check(dsari_ssl_ctx_set_min_tls12(context) == 1, "TLS 1.2 as the lowest version")
        try check(SSL_CTX_set_cipher_list(context, options.cipherList) == 1, "cipher list \"\(options.cipherList)\"")
        try check(dsari_ssl_ctx_set_dh_auto(context) == 1, "Diffie-Hellman parameters")
        // A client that closes without close_notify (check_nrpe does) is an end, not an error.
        dsari_ssl_ctx_ignore_unexpected_eof(context)
        switch (options.certificateFile, options.privateKeyFile) {
        case (let certificate?, let key?):
            try check(SSL_CTX_use_certificate_chain_file(context, certificate) == 1, "certificate \(certificate)")
            try check(SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1, "private key \(key)")
            try check(SSL_CTX_check_private_key(context) == 1, "private key \(key) does not match certificate \(certificate)")
        case (nil, nil):
            // Anonymous suites exist only up to TLS 1.2.
            try check(dsari_ssl_ctx_set_max_tls12(context) == 1, "TLS 1.2 as the highest version")
        default:
            throw SetupError(description: "ssl_cert_file and ssl_privatekey_file go together")
        }
        if let authority = options.caCertificateFile {
            try check(SSL_CTX_load_verify_locations(context, authority, nil) == 1, "CA certificates \(authority)")
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
    }

    deinit { SSL_CTX_free(context) }

    /// A server session on an accepted socket, or nil if OpenSSL cannot make one.
    func session(descriptor: Int32) -> NRPETransport? {
        guard let ssl = SSL_new(context) else { return nil }
        guard SSL_set_fd(ssl, descriptor) == 1 else {
            SSL_free(ssl)
            return nil
        }
        return TLSSession(ssl: ssl)
    }

    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        dsari_ssl_error_text(&buffer, buffer.count)
        return buffer[0] == 0
            ? "unknown OpenSSL error" : String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// One TLS connection; owns its `SSL` handle.
final class TLSSession: NRPETransport {
    private let ssl: OpaquePointer

    init(ssl: OpaquePointer) { self.ssl = ssl }

    deinit { SSL_free(ssl) }

    func handshake() -> TransportResult {
        ERR_clear_error()
        errno = 0
        let result = SSL_accept(ssl)
        return result == 1 ? .done(0) : status(result)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        ERR_clear_error()
        errno = 0
        let result = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        return result > 0 ? .done(Int(result)) : status(result)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        ERR_clear_error()
        errno = 0
        let result = SSL_write(ssl, bytes.baseAddress, Int32(bytes.count))
        return result > 0 ? .done(Int(result)) : status(result)
    }

    func shutdown() {
        _ = SSL_shutdown(ssl)
    }

    private func status(_ result: Int32) -> TransportResult {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let code = errno
            return code == 0 || code == ECONNRESET || code == EPIPE ? .closed : .failed("TLS: \(String(cString: strerror(code)))")
        default:
            return .failed("TLS: \(NRPETLSContext.lastError())")
        }
    }
}

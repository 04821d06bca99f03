import CMicroHTTPD
import DsariCore
import Foundation
import Synchronization

/// An HTTP server on libmicrohttpd: its own epoll thread, GET and HEAD only
/// (405 with `Allow` otherwise), 404 for unknown paths, a connection limit
/// and an idle timeout so slow or idle clients cannot starve the others.
/// The one owner of the C handles; nothing else imports CMicroHTTPD.
public final class HTTPServer: Service {
    public typealias Route = @Sendable (HTTPRequest) -> HTTPResponse

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The routes, reached from libmicrohttpd's thread through the C context pointer.
    final class Routes: Sendable {
        let table: [String: Route]
        let log: @Sendable (String) -> Void
        /// With a web configuration: what a client must present.
        let clientAuth: WebConfig.ClientAuth
        let authenticator: BasicAuthenticator?

        init(
            _ table: [String: Route], log: @escaping @Sendable (String) -> Void, clientAuth: WebConfig.ClientAuth = .noClientCert,
            authenticator: BasicAuthenticator? = nil
        ) {
            self.table = table
            self.log = log
            self.clientAuth = clientAuth
            self.authenticator = authenticator
        }

        /// The answer to a request: the client certificate and the
        /// credentials are checked first (every path is protected, as with
        /// exporter-toolkit), then the method and the path.
        func answer(
            method: String, path: String, authorization: String? = nil,
            clientCertificate: dsari_http_client_certificate = DSARI_HTTP_NO_CLIENT_CERTIFICATE
        ) -> HTTPResponse {
            switch clientCertificate {
            case DSARI_HTTP_NO_CLIENT_CERTIFICATE where clientAuth.requiresCertificate:
                return .text("403 Forbidden: a client certificate is required\n", status: 403)
            case DSARI_HTTP_CLIENT_CERTIFICATE_UNVERIFIED where clientAuth.verifiesCertificate:
                return .text("403 Forbidden: the client certificate is not signed by the client CA\n", status: 403)
            default:
                break
            }
            switch authenticator?.check(authorization: authorization) ?? .allowed {
            case .allowed:
                break
            case .unauthorized:
                var response = HTTPResponse.text("401 Unauthorized\n", status: 401)
                response.header = ("WWW-Authenticate", "Basic")
                return response
            case .failed(let reason):
                log("the web configuration cannot be read: \(reason)")
                return .text("500 Internal Server Error\n", status: 500)
            }
            guard method == "GET" || method == "HEAD" else {
                var response = HTTPResponse.text("405 Method Not Allowed: \(method) (GET and HEAD only)\n", status: 405)
                response.header = ("Allow", "GET, HEAD")
                return response
            }
            guard let route = table[path] else {
                return .text("404 Not Found: \(path)\n", status: 404)
            }
            return route(HTTPRequest(method: method, path: path))
        }
    }

    // The C handles are written once in init and freed once (guarded by
    // `stopped`); libmicrohttpd's stop may be called from any thread.
    private nonisolated(unsafe) let daemon: OpaquePointer
    private nonisolated(unsafe) let server: UnsafeMutablePointer<dsari_http_server>
    private let routes: Unmanaged<Routes>
    private let stopped = Mutex(false)
    /// The port listened on (the one chosen when 0 was asked for).
    public let port: UInt16
    /// What the web configuration turned on, for the start-up log line
    /// (e.g. `HTTPS, client certificates RequireAndVerifyClientCert, basic auth from the web configuration`); nil for plain HTTP without users.
    public let security: String?

    /// Listens on `host` (an IPv4 or IPv6 address, e.g. `0.0.0.0`, `127.0.0.1`, `::1`) and `port` (0 = any free one).
    /// libmicrohttpd's error messages (a failed accept, a client that broke
    /// the protocol) go to `log`, one call per message, without the newline.
    /// With `webConfigPath` (exporter-toolkit's web configuration), HTTPS
    /// and client certificates as its `tls_server_config` says (read once,
    /// here) and basic auth for its `basic_auth_users` (read again whenever
    /// the file changes).
    public init(
        host: String, port: UInt16, routes table: [String: Route], connectionLimit: UInt32 = 2048,
        idleTimeoutSeconds: UInt32 = 10, webConfigPath: String? = nil, log: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        var webConfig = WebConfig()
        if let webConfigPath {
            do {
                webConfig = try WebConfig.read(path: webConfigPath)
            } catch {
                throw StartError(description: "web configuration refused: \(error)")
            }
        }
        let tls = try webConfig.tls.map(TLSFiles.init)
        let routes = Unmanaged.passRetained(
            Routes(
                table, log: log, clientAuth: webConfig.tls?.clientAuth ?? .noClientCert,
                authenticator: webConfigPath.map { BasicAuthenticator(path: $0, config: webConfig) }))
        let server = UnsafeMutablePointer<dsari_http_server>.allocate(capacity: 1)
        server.initialize(
            to: dsari_http_server(
                handler: { context, request, reply in
                    guard let context, let request, let reply else { return }
                    let routes = Unmanaged<Routes>.fromOpaque(context).takeUnretainedValue()
                    let response = routes.answer(
                        method: request.pointee.method.map { String(cString: $0) } ?? "",
                        path: request.pointee.url.map { String(cString: $0) } ?? "/",
                        authorization: request.pointee.authorization.map { String(cString: $0) },
                        clientCertificate: request.pointee.client_certificate)
                    HTTPServer.fill(reply, with: response)
                }, context: routes.toOpaque(),
                log: { context, text in
                    guard let context, let text else { return }
                    let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
                    Unmanaged<Routes>.fromOpaque(context).takeUnretainedValue().log(message)
                }))
        guard let ip = IPAddress(host) else {
            routes.release()
            server.deallocate()
            throw StartError(description: "\"\(host)\" is not an IP address to listen on (e.g. 0.0.0.0, 127.0.0.1, ::1)")
        }
        let started = ip.withSocketAddress(port: port) { address, _ in
            guard let tls else { return dsari_http_start(server, address, connectionLimit, idleTimeoutSeconds, nil) }
            return tls.key.withCString { key in
                tls.certificate.withCString { certificate in
                    tls.priorities.withCString { priorities in
                        func start(trust: UnsafePointer<CChar>?) -> OpaquePointer? {
                            var options = dsari_http_tls(key: key, certificate: certificate, trust: trust, priorities: priorities)
                            return dsari_http_start(server, address, connectionLimit, idleTimeoutSeconds, &options)
                        }
                        guard let trust = tls.trust else { return start(trust: nil) }
                        return trust.withCString { start(trust: $0) }
                    }
                }
            }
        }
        guard let started else {
            routes.release()
            server.deallocate()
            let reason =
                tls == nil
                ? String(cString: strerror(errno)) : "\(String(cString: strerror(errno))), or the TLS certificate and key do not match"
            throw StartError(description: "cannot listen on \(host):\(port) (\(reason))")
        }
        self.daemon = started
        self.server = server
        self.routes = routes
        self.port = UInt16(dsari_http_bound_port(started))
        var security: [String] = []
        if let tls = webConfig.tls {
            security.append("HTTPS")
            if tls.clientAuth != .noClientCert { security.append("client certificates \(tls.clientAuth.rawValue)") }
        }
        if webConfigPath != nil { security.append("basic auth from the web configuration") }
        self.security = security.isEmpty ? nil : security.joined(separator: ", ")
    }

    deinit {
        stop()
    }

    /// `tls_server_config`'s files, read into memory for libmicrohttpd.
    private struct TLSFiles {
        let key: String
        let certificate: String
        let trust: String?
        let priorities: String

        init(_ tls: WebConfig.TLSServer) throws {
            func read(_ path: String, _ what: String) throws -> String {
                do {
                    return try String(contentsOfFile: path, encoding: .utf8)
                } catch {
                    throw StartError(
                        description: "cannot read the TLS \(what) \(path): \((error as NSError).localizedFailureReason ?? "\(error)")")
                }
            }
            key = try read(tls.keyFile, "key_file")
            certificate = try read(tls.certificateFile, "cert_file")
            trust = try tls.clientCAFile.map { try read($0, "client_ca_file") }
            priorities = WebConfig.gnuTLSPriorities(tls)
        }
    }

    /// Stops listening and closes every connection; safe to call twice.
    public func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        MHD_stop_daemon(daemon)
        routes.release()
        server.deallocate()
    }

    private static func fill(_ reply: UnsafeMutablePointer<dsari_http_reply>, with response: HTTPResponse) {
        reply.pointee.status = UInt32(response.status)
        let body = malloc(max(response.body.count, 1))!.assumingMemoryBound(to: CChar.self)
        response.body.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { memcpy(body, base, bytes.count) }
        }
        reply.pointee.body = body
        reply.pointee.length = response.body.count
        copy(response.contentType, into: &reply.pointee.content_type)
        if response.status == 405 { copy("GET, HEAD", into: &reply.pointee.allow) }
        if let header = response.header, header.name != "Allow" {
            copy(header.name, into: &reply.pointee.extra_header_name)
            copy(header.value, into: &reply.pointee.extra_header_value)
        }
    }

    /// Copies a string into a fixed C char array, truncated and NUL-terminated.
    private static func copy<T>(_ text: String, into field: inout T) {
        withUnsafeMutableBytes(of: &field) { buffer in
            let bytes = Array(text.utf8.prefix(buffer.count - 1))
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
    }
}

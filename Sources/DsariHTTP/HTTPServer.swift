import CMicroHTTPD
import DsariCore
import Foundation
import Synchronization

/// An HTTP server on libmicrohttpd: its own epoll thread, GET and HEAD only
/// (405 with `Allow` otherwise), 404 for unknown paths, a connection limit
/// and an idle timeout so slow or idle clients cannot starve the others.
/// The one owner of the C handles; nothing else imports CMicroHTTPD.
public final class HTTPServer: Sendable {
    public typealias Route = @Sendable (HTTPRequest) -> HTTPResponse

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The routes, reached from libmicrohttpd's thread through the C context pointer.
    final class Routes: Sendable {
        let table: [String: Route]
        let log: @Sendable (String) -> Void
        init(_ table: [String: Route], log: @escaping @Sendable (String) -> Void) {
            self.table = table
            self.log = log
        }

        func answer(method: String, path: String) -> HTTPResponse {
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

    /// Listens on `host` (an IPv4 or IPv6 address, e.g. `0.0.0.0`, `127.0.0.1`, `::1`) and `port` (0 = any free one).
    /// libmicrohttpd's error messages (a failed accept, a client that broke
    /// the protocol) go to `log`, one call per message, without the newline.
    public init(
        host: String, port: UInt16, routes table: [String: Route], connectionLimit: UInt32 = 2048,
        idleTimeoutSeconds: UInt32 = 10, log: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        let routes = Unmanaged.passRetained(Routes(table, log: log))
        let server = UnsafeMutablePointer<dsari_http_server>.allocate(capacity: 1)
        server.initialize(
            to: dsari_http_server(
                handler: { context, method, url, reply in
                    guard let context, let reply else { return }
                    let routes = Unmanaged<Routes>.fromOpaque(context).takeUnretainedValue()
                    let response = routes.answer(
                        method: method.map { String(cString: $0) } ?? "", path: url.map { String(cString: $0) } ?? "/")
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
            dsari_http_start(server, address, connectionLimit, idleTimeoutSeconds)
        }
        guard let started else {
            routes.release()
            server.deallocate()
            throw StartError(description: "cannot listen on \(host):\(port) (\(String(cString: strerror(errno))))")
        }
        self.daemon = started
        self.server = server
        self.routes = routes
        self.port = UInt16(dsari_http_bound_port(started))
    }

    deinit {
        stop()
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

import DsariTestSupport
import Foundation
import Testing

@testable import DsariHTTP

/// A real libmicrohttpd server on the loopback, spoken to over raw sockets
/// (so malformed requests can be sent too).
@Suite("HTTPServer")
struct HTTPServerTests {
    static let routes: [String: HTTPServer.Route] = [
        "/hello": { request in .text("hello \(request.method)\n") },
        "/json": { _ in HTTPResponse(contentType: "application/json", body: Array("{\"a\":1}".utf8), header: ("Cache-Control", "no-store"))
        },
    ]

    /// Sends `request` bytes to the server and reads the whole reply (the server closes: HTTP/1.0).
    func exchange(_ request: String, port: UInt16, host: String = "127.0.0.1") throws -> String {
        let connection = try LoopbackConnection(host: host, port: port)
        defer { connection.close() }
        try connection.send(request)
        return connection.receiveAll()
    }

    @Test func getAnswersWithBodyTypeAndLength() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0, routes: Self.routes)
        defer { server.stop() }
        #expect(server.port > 0)
        let reply = try exchange("GET /hello HTTP/1.0\r\n\r\n", port: server.port)
        #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(reply.contains("Content-Length: 10\r\n"))
        #expect(reply.contains("Content-Type: text/plain; charset=utf-8\r\n"))
        #expect(reply.hasSuffix("\r\n\r\nhello GET\n"))
        let json = try exchange("GET /json?x=1 HTTP/1.0\r\n\r\n", port: server.port)
        #expect(json.contains("Cache-Control: no-store\r\n"))
        #expect(json.hasSuffix("{\"a\":1}"))
    }

    @Test func headHasTheHeadersButNoBody() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0, routes: Self.routes)
        defer { server.stop() }
        let reply = try exchange("HEAD /hello HTTP/1.0\r\n\r\n", port: server.port)
        #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(reply.contains("Content-Length: 11\r\n"))  // "hello HEAD\n"
        #expect(reply.hasSuffix("\r\n\r\n"))
    }

    @Test(arguments: ["POST", "PUT", "DELETE", "OPTIONS"])
    func otherMethodsGet405WithAllow(method: String) throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0, routes: Self.routes)
        defer { server.stop() }
        let reply = try exchange("\(method) /hello HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", port: server.port)
        #expect(reply.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(reply.contains("Allow: GET, HEAD\r\n"))
        #expect(reply.contains("Content-Length: "))
    }

    @Test func unknownPathsGet404() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0, routes: Self.routes)
        defer { server.stop() }
        let reply = try exchange("GET /nope HTTP/1.0\r\n\r\n", port: server.port)
        #expect(reply.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(reply.hasSuffix("404 Not Found: /nope\n"))
    }

    @Test func ipv6Loopback() throws {
        let server = try HTTPServer(host: "::1", port: 0, routes: Self.routes)
        defer { server.stop() }
        #expect(try exchange("GET /hello HTTP/1.0\r\n\r\n", port: server.port, host: "::1").hasSuffix("hello GET\n"))
    }

    @Test func garbageAndIdleClientsDoNotStopOthers() throws {
        // Idle connections are held for a minute: a server that waited on them
        // would answer after that, far beyond any machine's slowness.
        let server = try HTTPServer(host: "127.0.0.1", port: 0, routes: Self.routes, idleTimeoutSeconds: 60)
        defer { server.stop() }
        // Idle connections that never send a byte.
        let idle = try (0..<50).map { _ in try LoopbackConnection(host: "127.0.0.1", port: server.port) }
        defer { idle.forEach { $0.close() } }
        // Garbage gets an error answer (or a closed connection), never a crash.
        let garbage = try exchange("\u{01}\u{02}NOT HTTP AT ALL\r\n\r\n", port: server.port)
        #expect(garbage.isEmpty || garbage.hasPrefix("HTTP/1.1 400"))
        // A well-formed request is still answered at once.
        let started = Date()
        #expect(try exchange("GET /hello HTTP/1.0\r\n\r\n", port: server.port).hasSuffix("hello GET\n"))
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func badHostIsRefusedAndAUsedPortToo() throws {
        #expect(throws: HTTPServer.StartError.self) { try HTTPServer(host: "localhost:80", port: 0, routes: [:]) }
        let server = try HTTPServer(host: "127.0.0.1", port: 0, routes: [:])
        defer { server.stop() }
        #expect(throws: HTTPServer.StartError.self) { try HTTPServer(host: "127.0.0.1", port: server.port, routes: [:]) }
    }

    @Test func stopClosesTheListener() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0, routes: Self.routes)
        let port = server.port
        server.stop()
        server.stop()
        #expect(throws: (any Error).self) { try LoopbackConnection(host: "127.0.0.1", port: port) }
    }
}

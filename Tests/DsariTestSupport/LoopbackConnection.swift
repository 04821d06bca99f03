import Foundation
import Synchronization

/// A blocking TCP connection to a loopback address, for tests.
public final class LoopbackConnection {
    public let descriptor: Int32

    public struct Failure: Error { public let call: String; public let code: Int32 }

    public init(host: String, port: UInt16) throws {
        let isV6 = host.contains(":")
        descriptor = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(call: "socket", code: errno) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        /// connect(2) with a sockaddr_in or sockaddr_in6.
        func connect<Address>(_ address: Address) -> Int32 {
            withUnsafePointer(to: address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<Address>.size))
                }
            }
        }
        let result: Int32
        if isV6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = connect(address)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            result = connect(address)
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw Failure(call: "connect", code: code)
        }
    }

    public func send(_ text: String) throws {
        try send(bytes: Array(text.utf8))
    }

    public func send(bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(call: "send", code: errno) }
            offset += count
        }
    }

    public func receiveAll() -> String {
        String(decoding: receiveAllBytes(), as: UTF8.self)
    }

    /// Everything until the peer closes (or the 10 s receive timeout).
    public func receiveAllBytes() -> [UInt8] {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return data
    }

    public func close() { Glibc.close(descriptor) }
}

/// One HTTP/1.0 exchange with a loopback server: the whole reply (status line, headers, body).
public func httpExchange(port: UInt16, path: String, method: String = "GET", host: String = "127.0.0.1") throws -> String {
    let connection = try LoopbackConnection(host: host, port: port)
    defer { connection.close() }
    try connection.send("\(method) \(path) HTTP/1.0\r\n\r\n")
    return connection.receiveAll()
}

/// The body of a GET to a loopback server.
public func httpBody(port: UInt16, path: String) throws -> String {
    let reply = try httpExchange(port: port, path: path)
    return reply.range(of: "\r\n\r\n").map { String(reply[$0.upperBound...]) } ?? ""
}

/// A TCP port on 127.0.0.1 free at the time of the call (for a server that
/// cannot be told to pick one itself and say which).
///
/// The port is below the kernel's ephemeral range, so no outgoing
/// connection of another test (wrk, the kill tests' thousands) can take it
/// before the server binds it, and it is never handed out twice in this
/// process; a port another program holds is skipped.
public func freeLoopbackPort() throws -> UInt16 {
    let (low, high) = portsBelowEphemeralRange()
    for _ in 0..<1000 {
        let port = UInt16.random(in: low...high)
        guard handedOutPorts.withLock({ $0.insert(port).inserted }) else { continue }
        if try canBind(port) { return port }
    }
    throw LoopbackConnection.Failure(call: "bind", code: EADDRINUSE)
}

private let handedOutPorts = Mutex<Set<UInt16>>([])

/// 10 000 ports just below `net.ipv4.ip_local_port_range`'s first one
/// (32768 by default).
private func portsBelowEphemeralRange() -> (UInt16, UInt16) {
    let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
    let first = range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
    let high = max(first - 1, 11_024)
    return (UInt16(high - 10_000), UInt16(high))
}

/// Whether 127.0.0.1:`port` can be bound now (as a server would, SO_REUSEADDR).
private func canBind(_ port: UInt16) throws -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw LoopbackConnection.Failure(call: "socket", code: errno) }
    defer { close(descriptor) }
    var reuse: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

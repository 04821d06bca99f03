import Foundation

/// The receiving end of systemd's readiness protocol, as systemd holds it: a
/// unix datagram socket whose name goes into a service's `NOTIFY_SOCKET`
/// (a path in a temporary directory, or an abstract name written `@…`).
public final class NotifySocket: @unchecked Sendable {
    // @unchecked: the descriptor is only read by the owning test's thread.
    private let descriptor: Int32
    /// The value for `NOTIFY_SOCKET`.
    public let name: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Binds `path` (a file path), or an abstract name when `abstract`.
    public init(path: String, abstract: Bool = false) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if abstract { bytes.insert(0, at: 0) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            close(descriptor)
            throw Failure(description: "bind \(path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        name = abstract ? "@" + path : path
    }

    deinit { close(descriptor) }

    /// The next datagram's text, or nil when none came within `timeout` seconds.
    public func receive(timeout: Double) -> String? {
        var wait = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&wait, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count < 0 ? nil : String(decoding: buffer[0..<count], as: UTF8.self)
    }
}

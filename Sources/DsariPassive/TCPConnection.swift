import Foundation

/// A blocking TCP connection with a deadline for every step (resolve,
/// connect, read, write): what the NSCA client needs, without a framework.
final class TCPConnection {
    private let descriptor: Int32
    private let deadline: Double

    /// Connects to `host` (a name or an address) and `port` within `timeout` seconds.
    init(host: String, port: UInt16, timeout: Double) throws(PassiveSendError) {
        deadline = Self.now() + timeout
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let list else {
            throw .unavailable("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = list
        while let info = candidate {
            candidate = info.pointee.ai_next
            let socketDescriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard socketDescriptor >= 0 else { continue }
            let flags = fcntl(socketDescriptor, F_GETFL)
            _ = fcntl(socketDescriptor, F_SETFL, flags | O_NONBLOCK)
            if connect(socketDescriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 || errno == EINPROGRESS {
                if Self.wait(socketDescriptor, for: Int16(POLLOUT), until: deadline) {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(socketDescriptor, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error == 0 {
                        descriptor = socketDescriptor
                        return
                    }
                    lastError = String(cString: strerror(error))
                } else {
                    lastError = "timed out after \(timeout) s"
                }
            } else {
                lastError = String(cString: strerror(errno))
            }
            close(socketDescriptor)
        }
        throw .unavailable("cannot connect to \(host):\(port): \(lastError)")
    }

    deinit { close(descriptor) }

    /// Reads exactly `count` bytes.
    func read(count: Int) throws(PassiveSendError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            guard Self.wait(descriptor, for: Int16(POLLIN), until: deadline) else {
                throw .unavailable("no answer within the timeout (\(offset) of \(count) bytes read)")
            }
            let received = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + offset, count - offset, 0) }
            if received < 0, errno == EINTR || errno == EAGAIN { continue }
            guard received > 0 else {
                throw .unavailable(received == 0 ? "the server closed the connection" : "read: \(String(cString: strerror(errno)))")
            }
            offset += received
        }
        return bytes
    }

    /// Writes every byte.
    func write(_ bytes: [UInt8]) throws(PassiveSendError) {
        var offset = 0
        while offset < bytes.count {
            guard Self.wait(descriptor, for: Int16(POLLOUT), until: deadline) else { throw .unavailable("write timed out") }
            let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR || errno == EAGAIN { continue }
            guard sent > 0 else { throw .unavailable("write: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func wait(_ descriptor: Int32, for events: Int16, until deadline: Double) -> Bool {
        while true {
            let left = deadline - now()
            guard left > 0 else { return false }
            var poller = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&poller, 1, Int32(min(left * 1000, 60_000).rounded(.up)))
            if ready < 0, errno == EINTR { continue }
            return ready > 0
        }
    }
}

import Foundation

/// What a read, a write or a handshake step gave.
enum TransportResult: Equatable {
    /// Bytes moved (or the handshake finished: 0).
    case done(Int)
    /// Try again once the socket is readable / writable.
    case wantRead
    case wantWrite
    /// The peer closed the connection.
    case closed
    case failed(String)
}

/// How a connection's bytes travel: as they are (`check_nrpe -n`) or in TLS.
protocol NRPETransport: AnyObject {
    func handshake() -> TransportResult
    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult
    func write(_ bytes: UnsafeRawBufferPointer) -> TransportResult
    /// Called once before the socket is closed (TLS sends its close_notify).
    func shutdown()
}

/// Plain TCP on a non-blocking socket.
final class PlainTransport: NRPETransport {
    let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    func handshake() -> TransportResult { .done(0) }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
        if count > 0 { return .done(count) }
        if count == 0 { return .closed }
        return Self.status(errno)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        let count = send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        if count >= 0 { return .done(count) }
        let code = errno
        return code == EAGAIN || code == EWOULDBLOCK || code == EINTR ? .wantWrite : Self.status(code)
    }

    func shutdown() {}

    static func status(_ code: Int32) -> TransportResult {
        switch code {
        case EAGAIN, EWOULDBLOCK, EINTR: .wantRead
        case ECONNRESET, EPIPE: .closed
        default: .failed(String(cString: strerror(code)))
        }
    }
}

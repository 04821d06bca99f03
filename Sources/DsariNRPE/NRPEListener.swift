import DsariCore
import Foundation

/// Answers check_nrpe: the NRPE protocol (packet versions 2, 3 and 4; see
/// `NRPEPacket`) on a TCP port, one request per connection, in plain TCP
/// (`check_nrpe -n`) or TLS (`NRPETLSContext`).
///
/// One thread runs a `poll` loop over the listening socket, a wake-up pipe
/// and every connection; nothing blocks it. A connection gets
/// `connectionTimeout` seconds from accept to answer sent, and a packet
/// that cannot be an NRPE query (unknown version, bad length, wrong CRC,
/// not a query) or that NRPE refuses (`NRPEQuery.refusal`: arguments when
/// they are not allowed, shell metacharacters) ends it at once, without an
/// answer, as NRPE does. Past `maximumConnections` new ones are
/// closed at once, so slow or idle clients cannot starve the others.
///
/// The answer comes from `responder`, which may call back from any thread
/// and later (a check run on demand).
public final class NRPEListener: Service, @unchecked Sendable {
    // @unchecked: `connections`, `nextID` and the sockets are used on the
    // listener thread only; `inbox` and `stopping` under `lock`.

    public struct Options: Sendable {
        public var address: ListenAddress
        public var allowedHosts: AllowedHosts
        /// Queries with arguments (`check_nrpe -a`) go to the responder
        /// instead of being refused, NRPE's `dont_blame_nrpe`.
        public var allowArguments: Bool
        public var connectionTimeout: Double
        public var maximumConnections: Int
        public var tls: NRPETLSContext?

        public init(
            address: ListenAddress, allowedHosts: AllowedHosts, allowArguments: Bool = false, connectionTimeout: Double = 10,
            maximumConnections: Int = 256, tls: NRPETLSContext? = nil
        ) {
            self.address = address
            self.allowedHosts = allowedHosts
            self.allowArguments = allowArguments
            self.connectionTimeout = connectionTimeout
            self.maximumConnections = maximumConnections
            self.tls = tls
        }
    }

    public typealias Responder = @Sendable (NRPEQuery, _ reply: @escaping @Sendable (NRPEAnswer) -> Void) -> Void
    public typealias Log = @Sendable (_ message: String, _ fields: [String: String]) -> Void

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The port listened on (the chosen one when the address said 0).
    public let port: UInt16
    let options: Options
    private let responder: Responder
    private let log: Log
    private let listenDescriptor: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let lock = NSLock()
    private var inbox: [(Int, NRPEAnswer)] = []
    private var stopping = false
    private var pipeClosed = false
    /// `connections.count`, published under `lock` after each loop turn.
    private var openConnections = 0
    private var thread: Thread?
    /// Signalled once by the listener thread as it ends (what `stop` joins on).
    private let finished = DispatchSemaphore(value: 0)
    private var connections: [Int: NRPEConnection] = [:]
    private var nextID = 0
    /// Until when (monotonic seconds) accepting waits, after running out of descriptors.
    private var acceptPausedUntil = 0.0
    /// Read buffer shared by the connections (the loop serves one at a time).
    private var scratch = [UInt8](repeating: 0, count: 16_384)

    /// Binds and starts listening; throws a readable error if the address cannot be used.
    public init(options: Options, responder: @escaping Responder, log: @escaping Log) throws {
        self.options = options
        self.responder = responder
        self.log = log
        (listenDescriptor, port) = try Self.bind(options.address)
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0, pipeEnds.allSatisfy(Self.makeNonBlocking) else {
            close(listenDescriptor)
            throw StartError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        (wakeRead, wakeWrite) = (pipeEnds[0], pipeEnds[1])
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "dsari-nrpe"
        self.thread = thread
        thread.start()
    }

    /// Open connections (for tests; read on the listener thread, so approximate elsewhere).
    var connectionCount: Int { lock.withLock { openConnections } }

    /// Stops accepting, drops open connections and ends the thread; waits
    /// for it unless called from it (a responder or the log). Idempotent.
    public func stop() {
        let first = lock.withLock {
            defer { stopping = true }
            return !stopping
        }
        if first { wake() }
        guard let thread, !thread.isEqual(Thread.current) else { return }
        // Joined; the signal passed on lets every other caller of stop through too.
        finished.wait()
        finished.signal()
    }

    /// Wakes the loop; the pipe is closed only by the loop, after `stopping`.
    private func wake() {
        lock.withLock {
            guard !pipeClosed else { return }
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }

    /// Seconds on a clock that never jumps (deadlines must not follow the wall clock).
    static func monotonicNow() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    // MARK: The loop

    private func run() {
        while true {
            if lock.withLock({ stopping }) { break }
            // While accept is out of descriptors (EMFILE), the listening
            // socket stays readable: leave it out of the poll for a moment.
            let listening = Self.monotonicNow() >= acceptPausedUntil ? listenDescriptor : -1
            var descriptors = [
                pollfd(fd: listening, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ids = Array(connections.keys)
            for id in ids {
                descriptors.append(pollfd(fd: connections[id]!.descriptor, events: connections[id]!.pollEvents, revents: 0))
            }
            let now = Self.monotonicNow()
            let nearest = min(connections.values.map(\.deadline).min().map { max(0, $0 - now) } ?? 60, listening < 0 ? 0.1 : 60)
            let timeout = Int32(min(60_000, (nearest * 1000).rounded(.up)))
            let ready = poll(&descriptors, nfds_t(descriptors.count), max(1, timeout))
            if ready < 0 && errno != EINTR { log("poll failed", ["error": String(cString: strerror(errno))]) }
            if descriptors[1].revents != 0 { drainWakePipe() }
            deliverAnswers()
            for (index, id) in ids.enumerated() where descriptors[index + 2].revents != 0 {
                guard let connection = connections[id] else { continue }
                if connection.pollEvents == 0 {
                    // Waiting for the answer, and the client reset or hung up:
                    // poll reports that whatever was asked; drop it now.
                    connection.close()
                    connections[id] = nil
                    continue
                }
                connection.step(scratch: &scratch)
                settle(id)
            }
            if descriptors[0].revents & Int16(POLLIN) != 0 { acceptAll() }
            defer {
                let count = connections.count
                lock.withLock { openConnections = count }
            }
            let later = Self.monotonicNow()
            for (id, connection) in connections where connection.deadline <= later {
                log("NRPE connection timed out; dropped", ["peer": connection.peer, "state": "\(connection.state)"])
                connection.close()
                connections[id] = nil
            }
        }
        for connection in connections.values { connection.close() }
        connections = [:]
        close(listenDescriptor)
        lock.withLock {
            pipeClosed = true
            close(wakeRead)
            close(wakeWrite)
        }
    }

    private func drainWakePipe() {
        var bytes = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &bytes, bytes.count) > 0 {}
    }

    private func acceptAll() {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let descriptor = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenDescriptor, $0, &length) }
            }
            guard descriptor >= 0 else {
                let code = errno
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    log("cannot accept NRPE connections for now", ["error": String(cString: strerror(code))])
                    acceptPausedUntil = Self.monotonicNow() + 0.1
                }
                return
            }
            _ = Self.makeNonBlocking(descriptor)
            let address = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { IPAddress(socketAddress: $0) }
            }
            let peer = address?.description ?? "?"
            guard let address, options.allowedHosts.allows(address) else {
                log("NRPE connection from a host not in allowed_hosts; closed", ["peer": peer])
                close(descriptor)
                continue
            }
            guard connections.count < options.maximumConnections else {
                log("NRPE connection limit reached; closed", ["peer": peer, "limit": "\(options.maximumConnections)"])
                close(descriptor)
                continue
            }
            let transport: NRPETransport
            if let tls = options.tls {
                guard let session = tls.session(descriptor: descriptor) else {
                    log("cannot start TLS; closed", ["peer": peer])
                    close(descriptor)
                    continue
                }
                transport = session
            } else {
                transport = PlainTransport(descriptor: descriptor)
            }
            nextID += 1
            let connection = NRPEConnection(
                descriptor: descriptor, peer: peer, transport: transport,
                deadline: Self.monotonicNow() + options.connectionTimeout, allowArguments: options.allowArguments)
            connections[nextID] = connection
            // TLS servers speak only when spoken to; start reading at once.
            connection.step(scratch: &scratch)
            settle(nextID)
        }
    }

    /// After a connection moved: hand a complete query to the responder,
    /// or forget a finished connection.
    private func settle(_ id: Int) {
        guard let connection = connections[id] else { return }
        switch connection.state {
        case .finished:
            if let problem = connection.problem {
                log("NRPE request refused; connection closed", ["peer": connection.peer, "reason": problem])
            }
            connection.close()
            connections[id] = nil
        case .awaitingAnswer(let query):
            connection.state = .answering
            responder(query) { [weak self] answer in
                guard let self else { return }
                lock.withLock { inbox.append((id, answer)) }
                wake()
            }
        default:
            break
        }
    }

    private func deliverAnswers() {
        let answers = lock.withLock {
            defer { inbox = [] }
            return inbox
        }
        for (id, answer) in answers {
            guard let connection = connections[id] else { continue }  // timed out meanwhile
            connection.answer(answer)
            connection.step(scratch: &scratch)
            settle(id)
        }
    }

    // MARK: Socket

    /// O_NONBLOCK and FD_CLOEXEC (children of the daemon must not inherit it).
    static func makeNonBlocking(_ descriptor: Int32) -> Bool {
        fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0
            && fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC) == 0
    }

    static func bind(_ address: ListenAddress) throws -> (Int32, UInt16) {
        guard let ip = address.address else {
            throw StartError(description: "\(address.host) is not an IP address")
        }
        let isV6 = ip.isIPv6
        let descriptor = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0, makeNonBlocking(descriptor) else {
            throw StartError(description: "socket: \(String(cString: strerror(errno)))")
        }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var result = ip.withSocketAddress(port: address.port) { Glibc.bind(descriptor, $0, $1) }
        if result == 0 { result = listen(descriptor, 128) }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw StartError(description: "cannot listen on \(address): \(reason)")
        }
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let port = withUnsafePointer(to: &bound) { pointer -> UInt16 in
            isV6
                ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
                : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        return (descriptor, port)
    }
}

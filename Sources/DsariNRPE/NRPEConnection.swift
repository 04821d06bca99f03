import Foundation

/// One check_nrpe connection, driven by the listener's poll loop: TLS
/// handshake (if any), read one query packet, wait for the answer, write
/// it, close. Confined to the listener thread.
final class NRPEConnection {
    enum State: CustomStringConvertible {
        case handshaking
        case reading
        case awaitingAnswer(NRPEQuery)
        case answering
        case writing
        case finished

        var description: String {
            switch self {
            case .handshaking: "TLS handshake"
            case .reading: "reading the query"
            case .awaitingAnswer, .answering: "waiting for the answer"
            case .writing: "writing the answer"
            case .finished: "finished"
            }
        }
    }

    let descriptor: Int32
    let peer: String
    let transport: NRPETransport
    let deadline: Double
    let allowArguments: Bool
    var state: State = .handshaking
    /// Why the connection ended without an answer, for the log.
    var problem: String?
    /// Which way the transport waits (TLS may need to write while reading).
    private var waitingFor = Int16(POLLIN)
    private var received: [UInt8] = []
    private var outgoing: [UInt8] = []
    private var sent = 0
    private var version: Int16 = 4
    private var closed = false

    init(descriptor: Int32, peer: String, transport: NRPETransport, deadline: Double, allowArguments: Bool) {
        self.descriptor = descriptor
        self.peer = peer
        self.transport = transport
        self.deadline = deadline
        self.allowArguments = allowArguments
    }

    var pollEvents: Int16 {
        switch state {
        case .awaitingAnswer, .answering, .finished: 0
        default: waitingFor
        }
    }

    /// Moves as far as the socket allows now.
    func step(scratch: inout [UInt8]) {
        while true {
            switch state {
            case .handshaking:
                guard proceed(transport.handshake()) != nil else { return }
                state = .reading
            case .reading:
                let result = scratch.withUnsafeMutableBytes { transport.read(into: $0) }
                guard let count = proceed(result) else { return }
                received += scratch[0..<count]
                guard consumeQuery() else { return }
            case .writing:
                let result = outgoing[sent...].withUnsafeBytes { transport.write($0) }
                guard let count = proceed(result) else { return }
                sent += count
                if sent == outgoing.count {
                    transport.shutdown()
                    state = .finished
                    return
                }
            case .awaitingAnswer, .answering, .finished:
                return
            }
        }
    }

    /// The bytes moved, or nil when the connection must wait or has ended.
    private func proceed(_ result: TransportResult) -> Int? {
        switch result {
        case .done(let count):
            waitingFor = Int16(POLLIN)
            return count
        case .wantRead:
            waitingFor = Int16(POLLIN)
        case .wantWrite:
            waitingFor = Int16(POLLOUT)
        case .closed:
            if problem == nil, case .reading = state, !received.isEmpty {
                problem = "the client closed the connection after \(received.count) byte(s), before a whole packet"
            }
            state = .finished
        case .failed(let reason):
            problem = problem ?? reason
            state = .finished
        }
        return nil
    }

    /// True when the state changed (a whole query, or a refusal).
    private func consumeQuery() -> Bool {
        do {
            guard let size = try NRPEPacket.expectedSize(of: received[...]) else { return false }
            guard received.count >= size else { return false }
            if received.count > size {
                throw Refusal("\(received.count - size) byte(s) after the packet")
            }
            let packet = try NRPEPacket(decodingQuery: received[...])
            version = packet.version
            let query = NRPEQuery(text: packet.text, version: packet.version)
            if let refusal = query.refusal(of: packet.text, allowArguments: allowArguments) {
                // NRPE logs this and closes the connection without an answer.
                throw Refusal(allowArguments ? refusal : refusal + " (nrpe_allow_arguments is off)")
            }
            state = .awaitingAnswer(query)
        } catch {
            problem = "\(error)"
            state = .finished
        }
        return true
    }

    /// Sets the answer to write.
    func answer(_ answer: NRPEAnswer) {
        outgoing = NRPEPacket(version: version, kind: .response, resultCode: answer.resultCode, text: Array(answer.text.utf8)).encoded()
        sent = 0
        waitingFor = Int16(POLLOUT)
        state = .writing
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
    }

    struct Refusal: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

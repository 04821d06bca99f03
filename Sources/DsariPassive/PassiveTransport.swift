/// How results reach one kind of destination. `send` blocks for at most
/// the destination's `timeout` (a little more for name resolution) and is
/// called from the destination's own delivery queue, never the scheduler's.
protocol PassiveTransport: Sendable {
    func send(_ result: PassiveResult) throws(PassiveSendError)
}

/// Why a result was not delivered.
enum PassiveSendError: Error, CustomStringConvertible {
    /// The destination cannot take it now (down, unreachable, busy): try again later.
    case unavailable(String)
    /// The destination refused this result for good: drop it (counted).
    case rejected(String)

    var description: String {
        switch self {
        case .unavailable(let reason), .rejected(let reason): reason
        }
    }
}

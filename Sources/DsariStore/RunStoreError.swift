/// Why the run history could not be read or written, whatever database
/// holds it: one error type for every caller, with a kind a person (or the
/// daemon's retry logic) can act on, and the database's own words.
/// It never carries a password or a whole connection string.
public struct RunStoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// The database server cannot be reached, or the connection was lost.
        case unreachable
        /// Another process holds a lock the change needs (try again later).
        case locked
        /// The database (or its file system, or the session) takes no writes.
        case readOnly = "read-only"
        /// The disk holding the database is full.
        case full
        /// The database's files are damaged.
        case corrupt
        /// Anything else: a refused login, missing privileges, a bug.
        case failed
    }

    public let kind: Kind
    /// What was being done, e.g. "open /var/lib/dsari/dsari.sqlite3", "connect to db1:5432".
    public let operation: String
    /// The database's message.
    public let message: String

    public init(_ kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    public var description: String {
        let text = "\(operation) failed: \(message)"
        return kind == .failed ? text : "\(text) (\(kind.rawValue))"
    }

    /// Worth retrying: the same change may go through later.
    public var isTransient: Bool { [.unreachable, .locked, .readOnly, .full].contains(kind) }
}

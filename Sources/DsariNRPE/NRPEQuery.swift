/// What check_nrpe asked: a command name and, with `-a`, arguments
/// (`command!arg1!arg2…` in the packet).
public struct NRPEQuery: Sendable, Equatable {
    public var command: String
    public var arguments: [String]
    /// The packet version of the query; the answer uses the same one.
    public var version: Int16

    /// check_nrpe's query without `-c`: answered with the version.
    public static let helloCommand = "_NRPE_CHECK"

    init(text: [UInt8], version: Int16) {
        let parts = text.split(separator: UInt8(ascii: "!"), omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        command = parts.first ?? ""
        arguments = Array(parts.dropFirst())
        self.version = version
    }
}

/// The answer to a query: the result code (the check's state, 0–3) and the
/// text check_nrpe prints (cut to what the packet version carries).
public struct NRPEAnswer: Sendable, Equatable {
    public var resultCode: Int16
    public var text: String

    public init(resultCode: Int16, text: String) {
        self.resultCode = resultCode
        self.text = text
    }
}

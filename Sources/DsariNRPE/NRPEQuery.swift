/// What check_nrpe asked: a command name and, with `-a`, arguments
/// (`command!arg1!arg2…` in the packet), read as NRPE 4.1 reads them.
public struct NRPEQuery: Sendable, Equatable {
    public var command: String
    /// At most `maximumArguments`, none empty: NRPE cuts the text at every
    /// `!` with `strtok`, which skips empty pieces, and keeps the first 16.
    public var arguments: [String]
    /// True when the text has a `!` at all (NRPE refuses such a query when
    /// arguments are not allowed, even `check_a!` with nothing after it).
    public var hasArgumentSeparator: Bool
    /// The packet version of the query; the answer uses the same one.
    public var version: Int16

    /// check_nrpe's query without `-c`: answered with the version.
    public static let helloCommand = "_NRPE_CHECK"
    /// NRPE's `MAX_COMMAND_ARGUMENTS`.
    public static let maximumArguments = 16
    /// NRPE's default `nasty_metachars`: a query containing any of them,
    /// in the command or an argument, is refused.
    public static let nastyMetacharacters: Set<UInt8> = Set("|`&><'\\[]{};\r\n".utf8)

    init(text: [UInt8], version: Int16) {
        let pieces = text.split(separator: UInt8(ascii: "!")).map { String(decoding: $0, as: UTF8.self) }
        command = pieces.first ?? ""
        arguments = Array(pieces.dropFirst().prefix(Self.maximumArguments))
        hasArgumentSeparator = text.contains(UInt8(ascii: "!"))
        self.version = version
    }

    /// Why NRPE 4.1 would refuse this query, read from `text` (log it and
    /// close the connection without an answer), in NRPE's own words; nil
    /// when it is a query NRPE answers.
    func refusal(of text: [UInt8], allowArguments: Bool) -> String? {
        if text.isEmpty { return "Error: Request contained no query!" }
        if text.contains(where: Self.nastyMetacharacters.contains) { return "Error: Request contained illegal metachars!" }
        if hasArgumentSeparator && !allowArguments {
            return "Error: Request contained command arguments, but argument option is not enabled!"
        }
        if command.isEmpty { return "Error: Request contained no command name" }
        if allowArguments, arguments.contains(where: { $0.contains("$(") }) {
            return "Error: Request contained a bash command substitution!"
        }
        return nil
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

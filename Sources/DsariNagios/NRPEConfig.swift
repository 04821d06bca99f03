import DsariCore

/// What an nrpe.cfg (with its includes) defines that matters for running its
/// commands elsewhere, and what was left out.
public struct NRPEConfig: Sendable {
    /// NRPE's default `command_timeout`, in seconds.
    public static let defaultCommandTimeout = 60

    /// The commands in the order they were first defined; a name defined
    /// again keeps its place and takes the last definition, since NRPE looks
    /// commands up newest first.
    public var commands: [NRPECommand] = []
    /// `command_timeout`: seconds before NRPE kills a command.
    public var commandTimeout = NRPEConfig.defaultCommandTimeout
    /// `command_prefix`: put, with a space, in front of every command line.
    public var commandPrefix: String?
    /// Directives read but without meaning for dsari jobs, in file order.
    public var ignoredDirectives: [NRPEIgnoredDirective] = []
    /// Lines and includes NRPE would complain about, in the order met.
    public var warnings: [NRPEConfigWarning] = []
    /// Every file read, in order (an included file read twice appears twice).
    public var files: [String] = []

    public init() {}
}

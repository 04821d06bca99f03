import DsariCore

/// The jobs made from an nrpe.cfg and what was left out.
public struct NRPEImport: Sendable {
    /// `{"jobs": {NAME: {...}}}`, ready to be written to `config.d/`.
    public var configuration: ConfigValue
    /// The job names made, in the order of the commands.
    public var jobNames: [String]
    public var skipped: [NRPESkippedCommand]
    /// Odd things about commands that were imported or arguments given.
    public var warnings: [String]
}

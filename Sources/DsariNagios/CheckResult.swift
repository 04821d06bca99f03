import DsariCore

/// A run of a Nagios check interpreted as the plugin API defines it: the
/// state from the exit code, the plugin's stdout split into status text,
/// long output and performance data. Stored with the run as `run_data.nagios`.
public struct CheckResult: Sendable, Hashable {
    public var state: CheckState
    public var exitCode: Int
    public var output: PluginOutput
    /// Set when the state did not come from a 0–3 exit code (timeout, out of bounds).
    public var note: String?
    /// The plugin's output as NRPE would send it (its first 64 KiB of
    /// stdout, one final newline removed; NRPE's message for a timeout):
    /// what the NRPE listener answers check_nrpe with.
    public var rawOutput: String

    /// NRPE's answer for a plugin that printed nothing on stdout.
    public static let nrpeNoOutput = "NRPE: Unable to read output"
    /// What Nagios shows for a plugin that printed nothing.
    public static let noOutput = "(No output returned from plugin)"

    /// Interprets a finished check. A check killed by `max_execution` is
    /// UNKNOWN with NRPE's message, whatever its exit code. `asNRPE` (a job
    /// made from an nrpe.cfg): a plugin that printed nothing on stdout is
    /// UNKNOWN, as NRPE answers it, whatever its exit code; other checks
    /// keep the exit code's state, as Nagios Core does.
    public init(
        exitCode: Int, standardOutput: String, timedOutAfter timeout: Double?, policy: OutOfRangeExitPolicy = .critical,
        asNRPE: Bool = false
    ) {
        self.exitCode = exitCode
        if let timeout {
            state = .unknown
            let seconds = timeout.rounded() == timeout ? String(Int(timeout)) : timeout.pythonRepr
            rawOutput = "NRPE: Command timed out after \(seconds) seconds"
            output = PluginOutput(parsing: rawOutput)
            note = "timed out"
            return
        }
        state = CheckState(exitCode: exitCode, outOfRange: policy)
        rawOutput = standardOutput.hasSuffix("\n") ? String(standardOutput.dropLast()) : standardOutput
        output = PluginOutput(parsing: standardOutput)
        note = CheckState.outOfBoundsMessage(exitCode: exitCode)
        if rawOutput.isEmpty, asNRPE {
            state = .unknown
            rawOutput = Self.nrpeNoOutput
            note = "no output on stdout: UNKNOWN, as NRPE answers it (exit code \(exitCode))"
        }
        if output.text.isEmpty {
            output.text = Self.noOutput
        }
    }

    /// `run_data.nagios`: field names follow Nagios `status.dat` where one exists.
    ///
    ///     current_state (0–3), state_name, plugin_output, long_plugin_output,
    ///     performance_data (as printed), perfdata (parsed: label, value, uom,
    ///     warn, crit, min, max, base_value, base_uom), perfdata_errors (raw +
    ///     reason), exit_code, note (timeout or out-of-bounds text, if any),
    ///     output (stdout as printed, for check_nrpe)
    public var runData: ConfigValue {
        var entries: [ConfigValue.Entry] = []
        func add(_ field: NagiosField, _ value: ConfigValue) { entries.append(.init(key: field.rawValue, value: ConfigNode(value))) }
        add(.currentState, .int(Int64(state.rawValue)))
        add(.stateName, .string(state.name))
        add(.pluginOutput, .string(output.text))
        add(.longPluginOutput, .string(output.longOutput))
        add(.performanceData, .string(output.rawPerformanceData))
        add(.perfdata, .array(output.performanceData.map { ConfigNode(Self.value(of: $0)) }))
        if !output.malformedPerformanceData.isEmpty {
            add(
                .perfdataErrors,
                .array(output.malformedPerformanceData.map { ConfigNode(["raw": .string($0.raw), "reason": .string($0.reason)]) }))
        }
        add(.exitCode, .int(Int64(exitCode)))
        if let note { add(.note, .string(note)) }
        add(.output, .string(rawOutput))
        return .mapping(entries)
    }

    static func value(of datum: PerfDatum) -> ConfigValue {
        func number(_ value: Double?) -> ConfigValue { value.map(ConfigValue.double) ?? .null }
        return [
            "label": .string(datum.label),
            "value": number(datum.value),
            "uom": .string(datum.unit.symbol),
            "warn": datum.warning.map { .string($0.text) } ?? .null,
            "crit": datum.critical.map { .string($0.text) } ?? .null,
            "min": number(datum.minimum),
            "max": number(datum.maximum),
            "base_value": number(datum.baseValue),
            "base_uom": .string(datum.unit.baseUnit.symbol),
        ]
    }
}

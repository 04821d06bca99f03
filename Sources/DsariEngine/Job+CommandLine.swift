import DsariCore
import DsariNagios

extension Job {
    /// The arguments a run executes: `command`, each element with its NRPE
    /// macros filled for `nrpe_arguments: query` (from the query that asked
    /// for the run, kept in `trigger_data`), then the job name and run id
    /// for `command_append_run`.
    func commandLine(runID: String, triggerData: ConfigValue) -> [String] {
        var line = command
        if nrpeArguments == .fromQuery {
            let arguments = Self.queryArguments(in: triggerData)
            line = line.map { NRPEMacroExpander.expand($0, arguments: arguments) }
        }
        return line + (commandAppendRun ? [name, runID] : [])
    }

    /// The NRPE query's arguments kept in a run's `trigger_data` (none for
    /// runs no query asked for, and for data of another shape).
    static func queryArguments(in triggerData: ConfigValue) -> [String] {
        guard case .array(let items)? = triggerData[NRPEArguments.triggerDataKey]?.value else { return [] }
        return items.compactMap { $0.value.stringValue }
    }
}

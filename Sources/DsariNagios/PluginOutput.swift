/// What a Nagios plugin printed, split the way Nagios Core splits it.
///
/// The first line is the status text, with performance data after a `|`.
/// The following lines are long output, up to a line with a `|`: the text
/// before it ends the long output, and everything after it, on that line
/// and all later ones, is more performance data.
public struct PluginOutput: Sendable, Hashable {
    /// The first line, before any `|`, trimmed.
    public var text: String
    /// The lines after the first, up to the second `|`, joined with newlines.
    public var longOutput: String
    /// All performance data as written (both blocks, joined by a space).
    public var rawPerformanceData: String
    public var performanceData: [PerfDatum]
    /// Items of `rawPerformanceData` that do not follow the grammar.
    public var malformedPerformanceData: [MalformedPerfDatum]

    public init(parsing output: String) {
        var lines = output.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.trimmingBlanks().isEmpty == true { lines.removeLast() }
        var perfParts: [String] = []
        let first = lines.first ?? ""
        if let bar = first.firstIndex(of: "|") {
            text = first[..<bar].trimmingBlanks()
            perfParts.append(first[first.index(after: bar)...].trimmingBlanks())
        } else {
            text = first.trimmingBlanks()
        }
        var long: [String] = []
        var inPerformanceData = false
        for line in lines.dropFirst() {
            if inPerformanceData {
                perfParts.append(line.trimmingBlanks())
            } else if let bar = line.firstIndex(of: "|") {
                long.append(String(line[..<bar]))
                perfParts.append(line[line.index(after: bar)...].trimmingBlanks())
                inPerformanceData = true
            } else {
                long.append(line)
            }
        }
        while long.last?.trimmingBlanks().isEmpty == true { long.removeLast() }
        longOutput = long.joined(separator: "\n")
        rawPerformanceData = perfParts.filter { !$0.isEmpty }.joined(separator: " ")
        (performanceData, malformedPerformanceData) = PerfDataParser.parse(rawPerformanceData)
    }
}

extension StringProtocol {
    fileprivate func trimmingBlanks() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

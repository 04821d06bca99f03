import DsariCore

/// Prometheus text exposition format 0.0.4, written the way dsari 2.0's
/// exporter writes it (so scrapes compare line for line): families sorted
/// by name, `# HELP` and `# TYPE` before each family that has them (a
/// summary's `_sum` and `_count` follow as families of their own), labels
/// sorted by name, numbers as Python prints them. Unlike dsari, label values
/// and help text are escaped as the format requires.
public struct ExpositionWriter: Sendable {
    public struct Sample: Sendable {
        public var labels: [(String, String)]
        public var value: MetricValue
        /// Appended to the family name, e.g. `_bucket`, `_sum`, `_count` of a histogram.
        public var suffix: String

        public init(_ labels: [(String, String)] = [], _ value: MetricValue, suffix: String = "") {
            self.labels = labels
            self.value = value
            self.suffix = suffix
        }
    }

    /// A sample value: an integer or a float, printed as Python would.
    public enum MetricValue: Sendable, Equatable {
        case integer(Int)
        case float(Double)

        var text: String {
            switch self {
            case .integer(let number): String(number)
            case .float(let number):
                if number.isNaN { "NaN" } else if number.isInfinite { number < 0 ? "-Inf" : "+Inf" } else { number.pythonRepr }
            }
        }
    }

    struct Family {
        var help: String?
        var type: String?
        var samples: [Sample]
    }

    private var families: [String: Family] = [:]

    public init() {}

    /// Adds samples to family `name` (created with `help` and `type` the first time).
    public mutating func add(_ name: String, help: String?, type: String?, _ samples: [Sample]) {
        families[name, default: Family(help: help, type: type, samples: [])].samples += samples
    }

    public mutating func add(_ name: String, help: String?, type: String?, _ sample: Sample) {
        add(name, help: help, type: type, [sample])
    }

    /// The exposition text. Families without samples are left out. Built
    /// as bytes: a scrape of a few hundred kilobytes stays in milliseconds.
    public func render() -> String {
        var output: [UInt8] = []
        output.reserveCapacity(families.count * 256)
        func append(_ text: String) {
            var text = text
            text.withUTF8 { output.append(contentsOf: $0) }
        }
        for name in families.keys.sorted() {
            guard let family = families[name], !family.samples.isEmpty else { continue }
            if let help = family.help { append("# HELP \(name) \(Self.escapeHelp(help))\n") }
            if let type = family.type { append("# TYPE \(name) \(type)\n") }
            for sample in family.samples {
                append(name)
                append(sample.suffix)
                if !sample.labels.isEmpty {
                    output.append(UInt8(ascii: "{"))
                    let labels = sample.labels.count == 1 ? sample.labels : sample.labels.sorted { $0.0 < $1.0 }
                    for (index, label) in labels.enumerated() {
                        if index > 0 { output.append(UInt8(ascii: ",")) }
                        append(label.0)
                        output.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "\"")])
                        Self.appendEscapedLabelValue(label.1, to: &output)
                        output.append(UInt8(ascii: "\""))
                    }
                    output.append(UInt8(ascii: "}"))
                }
                output.append(UInt8(ascii: " "))
                append(sample.value.text)
                output.append(UInt8(ascii: "\n"))
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `\` → `\\`, `"` → `\"`, newline → `\n`.
    static func escapeLabelValue(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendEscapedLabelValue(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendEscapedLabelValue(_ value: String, to output: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\n"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                default: output.append(byte)
                }
            }
        }
    }

    /// `\` → `\\`, newline → `\n`.
    static func escapeHelp(_ help: String) -> String {
        help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}

extension ConfigValue {
    /// The value as JSON text, readable by any JSON parser.
    ///
    /// Floats are written as Python writes them (`1.0`, `1e+16`), so a
    /// dump matches dsari's; infinities and NaN, which YAML allows but JSON
    /// cannot express, are written as `null`. Non-ASCII text is written as
    /// is (UTF-8), control characters escaped.
    ///
    /// - Parameters:
    ///   - pretty: one entry per line, indented by four spaces (as
    ///     `json.dumps(indent=4)`); otherwise everything on one line.
    ///   - sortedKeys: mapping keys in code point order instead of file order.
    public func jsonString(pretty: Bool = true, sortedKeys: Bool = false) -> String {
        var output = ""
        writeJSON(to: &output, pretty: pretty, sortedKeys: sortedKeys, depth: 0)
        return output
    }

    private func writeJSON(to output: inout String, pretty: Bool, sortedKeys: Bool, depth: Int) {
        func newline(_ depth: Int) {
            if pretty {
                output += "\n" + String(repeating: "    ", count: depth)
            }
        }
        switch self {
        case .null:
            output += "null"
        case .bool(let flag):
            output += flag ? "true" : "false"
        case .int(let number):
            output += String(number)
        case .double(let number):
            output += number.isFinite ? number.pythonRepr : "null"
        case .string(let text):
            Self.writeJSONString(text, to: &output)
        case .array(let elements):
            guard !elements.isEmpty else {
                output += "[]"
                return
            }
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                newline(depth + 1)
                element.value.writeJSON(to: &output, pretty: pretty, sortedKeys: sortedKeys, depth: depth + 1)
            }
            newline(depth)
            output += "]"
        case .mapping(let entries):
            guard !entries.isEmpty else {
                output += "{}"
                return
            }
            let ordered = sortedKeys ? entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : entries
            output += "{"
            for (index, entry) in ordered.enumerated() {
                if index > 0 { output += "," }
                newline(depth + 1)
                Self.writeJSONString(entry.key, to: &output)
                output += pretty ? ": " : ":"
                entry.value.value.writeJSON(to: &output, pretty: pretty, sortedKeys: sortedKeys, depth: depth + 1)
            }
            newline(depth)
            output += "}"
        }
    }

    private static func writeJSONString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}

extension ConfigNode {
    /// The value as JSON text; see `ConfigValue.jsonString(pretty:sortedKeys:)`.
    public func jsonString(pretty: Bool = true, sortedKeys: Bool = false) -> String {
        value.jsonString(pretty: pretty, sortedKeys: sortedKeys)
    }
}

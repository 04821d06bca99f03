/// JSON written straight as bytes, for listings too large to build as a
/// `ConfigValue` tree first. The layout is `ConfigValue.jsonString(pretty:
/// true)`'s: four spaces per level, `": "` after keys, empty containers as
/// `{}` and `[]`.
enum JSONBytes {
    /// `text` as a JSON string literal: quotes, backslashes and control
    /// characters escaped; invalid UTF-8 replaced by U+FFFD so that the
    /// output stays valid JSON.
    static func appendString(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        if text.contains(where: { $0 >= 0x80 }), String(validating: text, as: UTF8.self) == nil {
            var repaired = Array(String(decoding: text, as: UTF8.self).utf8)
            repaired.withUnsafeMutableBufferPointer { appendValidString(UnsafeBufferPointer($0), to: &output) }
            return
        }
        appendValidString(text, to: &output)
    }

    static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendValidString($0, to: &output) }
    }

    private static func appendValidString(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var clean = text.startIndex
        for index in text.indices {
            let byte = text[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[clean..<index]))
            clean = index + 1
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            default:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: text[clean...]))
        output.append(UInt8(ascii: "\""))
    }

    /// Four spaces per level, after a newline.
    static func appendNewline(depth: Int, to output: inout [UInt8]) {
        if depth < newlines.count {
            output.append(contentsOf: newlines[depth])
        } else {
            output.append(0x0A)
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 4 * depth))
        }
    }

    /// A newline and the indentation of each of the first levels, ready to copy.
    private static let newlines: [[UInt8]] = (0..<12).map { [0x0A] + Array(repeating: UInt8(ascii: " "), count: 4 * $0) }

    /// A stored JSON column (`trigger_data`, `run_data`) re-indented to sit
    /// at `depth`. Empty text is `{}`, as the store reads it; text that is
    /// not JSON (written by another tool) is written as a string, as the
    /// store reads it too. Keys keep their stored order, numbers their
    /// stored spelling.
    static func appendStoredJSON(_ text: UnsafeBufferPointer<UInt8>, depth: Int, to output: inout [UInt8]) {
        if text.isEmpty || (text.count == 2 && text[0] == UInt8(ascii: "{") && text[1] == UInt8(ascii: "}")) {
            output.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
            return
        }
        let mark = output.count
        var reindenter = JSONReindenter(input: text, baseDepth: depth)
        if !reindenter.run(into: &output) {
            output.removeSubrange(mark...)
            appendString(text, to: &output)
        }
    }
}

/// Checks JSON text (RFC 8259) and writes it again, pretty-printed, in one
/// pass: what `JSONBytes.appendStoredJSON` needs to copy a stored column
/// into a listing without building a tree for each of 100,000 rows.
struct JSONReindenter {
    private let input: UnsafeBufferPointer<UInt8>
    private let baseDepth: Int
    private var position = 0

    /// Nesting beyond this is treated as not JSON (written as a string).
    static let maximumDepth = 512

    init(input: UnsafeBufferPointer<UInt8>, baseDepth: Int) {
        self.input = input
        self.baseDepth = baseDepth
    }

    /// Appends the re-indented value; false (with partial output) when the
    /// text is not exactly one valid JSON value.
    mutating func run(into output: inout [UInt8]) -> Bool {
        if input.contains(where: { $0 >= 0x80 }), String(validating: input, as: UTF8.self) == nil {
            return false
        }
        guard value(depth: 0, into: &output) else { return false }
        skipWhitespace()
        return position == input.count
    }

    private var current: UInt8? { position < input.count ? input[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            position += 1
        }
    }

    private mutating func value(depth: Int, into output: inout [UInt8]) -> Bool {
        skipWhitespace()
        guard let byte = current, depth < Self.maximumDepth else { return false }
        switch byte {
        case UInt8(ascii: "{"): return container(close: UInt8(ascii: "}"), keyed: true, depth: depth, into: &output)
        case UInt8(ascii: "["): return container(close: UInt8(ascii: "]"), keyed: false, depth: depth, into: &output)
        case UInt8(ascii: "\""): return string(into: &output)
        case UInt8(ascii: "t"): return literal("true", into: &output)
        case UInt8(ascii: "f"): return literal("false", into: &output)
        case UInt8(ascii: "n"): return literal("null", into: &output)
        default: return number(into: &output)
        }
    }

    private mutating func container(close: UInt8, keyed: Bool, depth: Int, into output: inout [UInt8]) -> Bool {
        output.append(input[position])
        position += 1
        skipWhitespace()
        if current == close {
            position += 1
            output.append(close)
            return true
        }
        while true {
            JSONBytes.appendNewline(depth: baseDepth + depth + 1, to: &output)
            if keyed {
                skipWhitespace()
                guard current == UInt8(ascii: "\""), string(into: &output) else { return false }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return false }
                position += 1
                output.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            }
            guard value(depth: depth + 1, into: &output) else { return false }
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                output.append(UInt8(ascii: ","))
                continue
            }
            guard current == close else { return false }
            position += 1
            JSONBytes.appendNewline(depth: baseDepth + depth, to: &output)
            output.append(close)
            return true
        }
    }

    /// Copies a string literal as written (its escapes are already JSON).
    private mutating func string(into output: inout [UInt8]) -> Bool {
        let start = position
        position += 1
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<position]))
                return true
            case UInt8(ascii: "\\"):
                position += 1
                guard let escaped = current else { return false }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    position += 1
                    for _ in 0..<4 {
                        guard let hex = current, isHexDigit(hex) else { return false }
                        position += 1
                    }
                default:
                    return false
                }
            default:
                guard byte >= 0x20 else { return false }
                position += 1
            }
        }
        return false
    }

    private func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    private mutating func literal(_ word: StaticString, into output: inout [UInt8]) -> Bool {
        let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard input.count - position >= bytes.count,
            UnsafeBufferPointer(rebasing: input[position..<position + bytes.count]).elementsEqual(bytes)
        else { return false }
        position += bytes.count
        output.append(contentsOf: bytes)
        return true
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, copied as written.
    private mutating func number(into output: inout [UInt8]) -> Bool {
        let start = position
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { (0x30...0x39).contains($0) } ?? false }
        if current == UInt8(ascii: "-") { position += 1 }
        guard isDigit(current) else { return false }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            while isDigit(current) { position += 1 }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard isDigit(current) else { return false }
            while isDigit(current) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard isDigit(current) else { return false }
            while isDigit(current) { position += 1 }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<position]))
        return true
    }
}

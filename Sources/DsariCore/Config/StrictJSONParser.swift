/// Parses JSON text (RFC 8259, nothing more) into a `ConfigNode` with the
/// line of every value.
///
/// Why not Foundation: on Linux `JSONDecoder` and `JSONSerialization`
/// accept trailing commas (`[1, 2,]`), read `1.0` and `1e2` as integers (but
/// dsari's Python turns an environment value `1.0` into the string "1.0"),
/// lose the order of keys, and report syntax errors only as "around
/// character 15", without a line. This parser is strict where they are
/// lenient, and exact where dsari is:
///
/// - integers and floats stay apart by how they are written (`1` vs `1.0`);
///   an integer beyond 64 bits becomes a float, as it cannot be kept exactly;
/// - `NaN`, `Infinity`, comments, single quotes and trailing commas are
///   refused (Python's `json` accepts `NaN`/`Infinity`; they are not JSON);
/// - a key that appears twice in one object is refused (Python keeps the
///   last silently, which hides mistakes in hand-written files);
/// - errors give line and column (columns in Unicode scalars, 1-based).
struct StrictJSONParser {
    private let bytes: [UInt8]
    private let file: String
    private var position = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0

    /// Deep enough for any configuration; stops a hostile file from
    /// exhausting the stack.
    static let maximumDepth = 512

    private init(text: String, file: String) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            // A byte-order mark is allowed to be ignored (RFC 8259 §8.1).
            bytes.removeFirst(3)
        }
        self.bytes = bytes
        self.file = file
    }

    /// The value of a complete JSON text; throws `ConfigError` for anything
    /// that is not exactly one JSON value surrounded by whitespace.
    static func parse(_ text: String, file: String) throws -> ConfigNode {
        var parser = StrictJSONParser(text: text, file: file)
        let node = try parser.parseValue()
        parser.skipWhitespace()
        if parser.position < parser.bytes.count {
            throw parser.syntaxError("unexpected \(parser.describeCurrent()) after the end of the JSON value")
        }
        return node
    }

    // MARK: Values

    private mutating func parseValue() throws -> ConfigNode {
        skipWhitespace()
        guard let byte = current else {
            throw syntaxError("the text ends where a value was expected")
        }
        let location = SourceLocation(file: file, line: line)
        switch byte {
        case UInt8(ascii: "{"): return ConfigNode(try parseObject(), location: location)
        case UInt8(ascii: "["): return ConfigNode(try parseArray(), location: location)
        case UInt8(ascii: "\""): return ConfigNode(.string(try parseString()), location: location)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return ConfigNode(try parseNumber(), location: location)
        case UInt8(ascii: "t"): return ConfigNode(try parseLiteral("true", .bool(true)), location: location)
        case UInt8(ascii: "f"): return ConfigNode(try parseLiteral("false", .bool(false)), location: location)
        case UInt8(ascii: "n"): return ConfigNode(try parseLiteral("null", .null), location: location)
        default:
            throw syntaxError("unexpected \(describeCurrent()) where a value was expected\(hint(for: byte))")
        }
    }

    private mutating func parseObject() throws -> ConfigValue {
        try enterContainer()
        defer { depth -= 1 }
        position += 1  // "{"
        var entries: [ConfigValue.Entry] = []
        var lineOfKey: [String: Int] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .mapping(entries)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                if current == UInt8(ascii: "}") {
                    throw syntaxError("a comma must not follow the last entry of an object")
                }
                throw syntaxError("expected a key in double quotes, found \(describeCurrent())")
            }
            let keyLocation = SourceLocation(file: file, line: line)
            let keyStart = position
            let key = try parseString()
            if let firstLine = lineOfKey[key] {
                throw syntaxError(
                    "the key \(key.quotedForMessage) appears twice in one object (first on line \(firstLine))",
                    at: SourceLocation(file: file, line: keyLocation.line, column: column(at: keyStart)))
            }
            lineOfKey[key] = keyLocation.line
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw syntaxError("expected ':' after the key \(key.quotedForMessage), found \(describeCurrent())")
            }
            position += 1
            let value = try parseValue()
            entries.append(ConfigValue.Entry(key: key, value: value, keyLocation: keyLocation))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .mapping(entries)
            default:
                throw syntaxError("expected ',' or '}' after a value in an object, found \(describeCurrent())")
            }
        }
    }

    private mutating func parseArray() throws -> ConfigValue {
        try enterContainer()
        defer { depth -= 1 }
        position += 1  // "["
        var elements: [ConfigNode] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                throw syntaxError("a comma must not follow the last element of a list")
            }
            elements.append(try parseValue())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default:
                throw syntaxError("expected ',' or ']' after a value in a list, found \(describeCurrent())")
            }
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: ConfigValue) throws -> ConfigValue {
        let expected = Array(word.utf8)
        guard bytes[position...].starts(with: expected) else {
            throw syntaxError("unexpected \(describeCurrent()) where a value was expected")
        }
        position += expected.count
        return value
    }

    private mutating func parseNumber() throws -> ConfigValue {
        let start = position
        var isInteger = true
        func invalid() -> ConfigError {
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            return syntaxError(
                "\(text.quotedForMessage) is not a valid number",
                at: SourceLocation(file: file, line: line, column: column(at: start)))
        }
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else {
            if current == UInt8(ascii: "I") {
                throw syntaxError("unexpected 'I' where a value was expected (NaN and Infinity are not JSON)")
            }
            throw invalid()
        }
        position += 1
        if first == UInt8(ascii: "0"), let next = current, isDigit(next) {
            throw syntaxError(
                "a number must not start with 0 followed by more digits",
                at: SourceLocation(file: file, line: line, column: column(at: start)))
        }
        skipDigits()
        if current == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let next = current, isDigit(next) else { throw invalid() }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let next = current, isDigit(next) else { throw invalid() }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let integer = Int64(text) {
            return .int(integer)
        }
        // The grammar above guarantees a valid decimal; an overflow gives
        // ±infinity, as in Python.
        return .double(Double(text) ?? .nan)
    }

    private mutating func parseString() throws -> String {
        let start = position
        let startLine = line
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else {
                throw syntaxError(
                    "a string is not closed (it starts here)",
                    at: SourceLocation(file: file, line: startLine, column: column(at: start)))
            }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &utf8)
            case 0x0A:
                throw syntaxError(
                    "a string must not contain a line break (is the closing '\"' missing?)")
            case 0x00..<0x20:
                throw syntaxError(
                    "a string must not contain the control character \(Self.codePoint(UInt32(byte))) (write it as an escape)"
                )
            default:
                utf8.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws {
        guard let byte = current else {
            throw syntaxError("the text ends inside a string")
        }
        position += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): UInt8(ascii: "\""), UInt8(ascii: "\\"): UInt8(ascii: "\\"),
            UInt8(ascii: "/"): UInt8(ascii: "/"), UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C,
            UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        if let replacement = simple[byte] {
            utf8.append(replacement)
            return
        }
        guard byte == UInt8(ascii: "u") else {
            position -= 2
            throw syntaxError("\(describeEscape()) is not a valid escape in a JSON string")
        }
        var codePoint = try parseHexQuad()
        if (0xD800..<0xDC00).contains(codePoint) {
            // A high surrogate must be followed by an escaped low surrogate.
            let save = position
            if bytes[position...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) {
                position += 2
                let low = try parseHexQuad()
                if (0xDC00..<0xE000).contains(low) {
                    codePoint = 0x10000 + ((codePoint - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    position = save
                }
            }
            if codePoint < 0x10000 {
                throw syntaxError("the escape \\u\(Self.hex4(codePoint)) is half a surrogate pair")
            }
        } else if (0xDC00..<0xE000).contains(codePoint) {
            throw syntaxError("the escape \\u\(Self.hex4(codePoint)) is half a surrogate pair")
        }
        // Every remaining code point is a valid scalar.
        utf8.append(contentsOf: Array(String(Unicode.Scalar(codePoint)!).utf8))
    }

    private mutating func parseHexQuad() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Self.hexValue(byte) else {
                throw syntaxError("\\u must be followed by four hexadecimal digits")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    // MARK: Scanning

    private var current: UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    /// 1-based column of `position`, counted in Unicode scalars.
    private var column: Int {
        column(at: position)
    }

    /// 1-based column of a byte offset on the current line. Computed only
    /// for errors: it walks the line, and minified JSON is one long line.
    private func column(at offset: Int) -> Int {
        bytes[lineStart..<offset].reduce(1) { count, byte in
            (byte & 0xC0) == 0x80 ? count : count + 1
        }
    }

    private mutating func skipWhitespace() {
        while let byte = current {
            switch byte {
            case 0x0A:
                line += 1
                position += 1
                lineStart = position
            case 0x20, 0x09, 0x0D:
                position += 1
            default:
                return
            }
        }
    }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private mutating func enterContainer() throws {
        depth += 1
        if depth > Self.maximumDepth {
            throw syntaxError("values are nested more than \(Self.maximumDepth) levels deep")
        }
    }

    // MARK: Errors

    private func syntaxError(_ problem: String, at location: SourceLocation? = nil) -> ConfigError {
        ConfigError(
            "invalid JSON: \(problem)",
            location: location ?? SourceLocation(file: file, line: line, column: column),
            expected: "JSON")
    }

    /// The character at `position` for a message: `'}'`, or `U+0009` for
    /// invisible ones, or "the end of the text".
    private func describeCurrent() -> String {
        guard position < bytes.count else { return "the end of the text" }
        let scalar = String(decoding: bytes[position..<min(position + 4, bytes.count)], as: UTF8.self)
            .unicodeScalars.first!
        if scalar.value < 0x21 || scalar.value == 0x7F || scalar.properties.isWhitespace {
            return Self.codePoint(scalar.value)
        }
        return "'\(scalar)'"
    }

    private func describeEscape() -> String {
        let end = min(position + 2, bytes.count)
        return "'\(String(decoding: bytes[position..<end], as: UTF8.self))'"
    }

    private func hint(for byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "N"), UInt8(ascii: "I"): " (NaN and Infinity are not JSON)"
        case UInt8(ascii: "'"): " (JSON strings take double quotes)"
        case UInt8(ascii: "/"), UInt8(ascii: "#"): " (JSON has no comments)"
        default: ""
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func codePoint(_ value: UInt32) -> String {
        "U+" + hex4(value)
    }
}

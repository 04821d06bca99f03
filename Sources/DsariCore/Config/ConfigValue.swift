/// A value read from a configuration file (YAML or JSON), typed the way the
/// file wrote it.
///
/// dsari checks option types strictly (Python `type()`): `true` is not a
/// number and `1` is not a string, so the reader keeps booleans, integers
/// and floats apart instead of collapsing them into one numeric type.
/// Mappings keep their keys in file order, as Python dicts do.
///
/// Equality and hashing ignore source locations, and mappings compare like
/// dictionaries (key order does not matter).
public indirect enum ConfigValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([ConfigNode])
    /// Entries in file order, keys unique.
    case mapping([Entry])

    /// One key of a mapping with its value.
    public struct Entry: Sendable, Hashable {
        public var key: String
        /// What the key was in the file: `.string` except for YAML keys such
        /// as `1:` or `on:`, which YAML reads as a number or a boolean. The
        /// loader refuses those where a name is expected.
        public var keyKind: Kind
        /// Where the key was written; unknown-key warnings point here.
        public var keyLocation: SourceLocation?
        public var value: ConfigNode

        public init(
            key: String, value: ConfigNode, keyKind: Kind = .string, keyLocation: SourceLocation? = nil
        ) {
            self.key = key
            self.keyKind = keyKind
            self.keyLocation = keyLocation
            self.value = value
        }

        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.key == rhs.key && lhs.keyKind == rhs.keyKind && lhs.value == rhs.value
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(key)
            hasher.combine(keyKind)
            hasher.combine(value)
        }
    }

    /// The type of a value, for messages that must not show the value itself.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        case null, bool, int, double, string, array, mapping

        /// The type with an article, as it reads in a sentence: "a boolean".
        public var description: String {
            switch self {
            case .null: "null"
            case .bool: "a boolean"
            case .int: "an integer"
            case .double: "a decimal number"
            case .string: "a string"
            case .array: "a list"
            case .mapping: "a mapping"
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .double: .double
        case .string: .string
        case .array: .array
        case .mapping: .mapping
        }
    }

    /// The value of `key` when this is a mapping that has it.
    public subscript(key: String) -> ConfigNode? {
        guard case .mapping(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var intValue: Int64? {
        if case .int(let number) = self { return number }
        return nil
    }

    public var arrayValue: [ConfigNode]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var mappingEntries: [Entry]? {
        if case .mapping(let entries) = self { return entries }
        return nil
    }

    /// The value described for an error message, e.g. `the string "ten"`,
    /// `the number 5`, `a list`. Use `kind` instead where the value may be a
    /// secret (environment values).
    public var briefDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return "the boolean \(flag)"
        case .int(let number): return "the number \(number)"
        case .double(let number): return "the number \(number.pythonRepr)"
        case .string(let text):
            let limit = 60
            let shown = text.count > limit ? String(text.prefix(limit)) + "…" : text
            return "the string \(shown.quotedForMessage)"
        case .array: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// dsari's `dict_merge`: when both sides are mappings they merge key by
    /// key, recursively; anything else in `other` replaces this value.
    public func merging(_ other: ConfigValue) -> ConfigValue {
        ConfigNode(self).merging(ConfigNode(other)).value
    }
}

extension ConfigValue: Hashable {
    public static func == (lhs: ConfigValue, rhs: ConfigValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let left), .bool(let right)): return left == right
        case (.int(let left), .int(let right)): return left == right
        case (.double(let left), .double(let right)): return left == right
        case (.string(let left), .string(let right)): return left == right
        case (.array(let left), .array(let right)): return left == right
        case (.mapping(let left), .mapping(let right)):
            guard left.count == right.count else { return false }
            let rightByKey = Dictionary(right.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            return left.allSatisfy { rightByKey[$0.key] == $0 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        switch self {
        case .null: break
        case .bool(let flag): hasher.combine(flag)
        case .int(let number): hasher.combine(number)
        case .double(let number): hasher.combine(number)
        case .string(let text): hasher.combine(text)
        case .array(let elements): hasher.combine(elements)
        case .mapping(let entries):
            // Order-independent, to agree with `==`.
            hasher.combine(entries.reduce(0) { $0 &+ $1.hashValue })
        }
    }
}

extension String {
    /// The string in double quotes with quotes, backslashes and control
    /// characters escaped, so that a name in a message cannot break the line.
    public var quotedForMessage: String {
        var result = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

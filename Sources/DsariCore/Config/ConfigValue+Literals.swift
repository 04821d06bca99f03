// Literals make values easy to write in code and tests:
// `let value: ConfigValue = ["command": ["true"], "max_execution": 5]`.

extension ConfigValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) {
        self = .null
    }
}

extension ConfigValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension ConfigValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .int(value)
    }
}

extension ConfigValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .double(value)
    }
}

extension ConfigValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension ConfigValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: ConfigValue...) {
        self = .array(elements.map { ConfigNode($0) })
    }
}

extension ConfigValue: ExpressibleByDictionaryLiteral {
    /// Keys in the order written; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        var entries: [Entry] = []
        for (key, value) in elements {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                entries[index].value = ConfigNode(value)
            } else {
                entries.append(Entry(key: key, value: ConfigNode(value)))
            }
        }
        self = .mapping(entries)
    }
}

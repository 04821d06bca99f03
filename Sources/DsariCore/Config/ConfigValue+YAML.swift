import Yams

extension ConfigValue {
    /// The value as a YAML document (ending in a newline) that reads back,
    /// with Yams or PyYAML, as the same value.
    ///
    /// Strings that YAML would read as something else (`"true"`, `"5"`,
    /// `"null"`, `"2024-01-01"`, `"<<"`) are quoted; floats always carry a
    /// decimal point (`1.0e+16`) because YAML 1.1 needs one.
    public func yamlString(sortedKeys: Bool = false) -> String {
        let node = yamsNode(sortedKeys: sortedKeys)
        if let text = try? Yams.serialize(node: node, width: -1, allowUnicode: true) {
            return text
        }
        // libyaml refuses nothing a ConfigValue can hold; should it ever, JSON
        // is also YAML.
        return jsonString(pretty: true, sortedKeys: sortedKeys) + "\n"
    }

    private func yamsNode(sortedKeys: Bool) -> Node {
        switch self {
        case .null:
            return Node("null", Tag(.null))
        case .bool(let flag):
            return Node(flag ? "true" : "false", Tag(.bool))
        case .int(let number):
            return Node(String(number), Tag(.int))
        case .double(let number):
            return Node(Self.yamlFloatText(number), Tag(.float))
        case .string(let text):
            return Self.yamsString(text)
        case .array(let elements):
            return Node(elements.map { $0.value.yamsNode(sortedKeys: sortedKeys) }, Tag(.seq))
        case .mapping(let entries):
            let ordered = sortedKeys ? entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : entries
            return Node(
                ordered.map { (Self.yamsString($0.key), $0.value.value.yamsNode(sortedKeys: sortedKeys)) }, Tag(.map))
        }
    }

    /// A string scalar, single-quoted when a plain scalar with this text
    /// would resolve to another type; libyaml quotes the rest as needed.
    /// `y` and `n` are booleans in the YAML 1.1 specification (though not in
    /// PyYAML or Yams): quoted too, for other readers.
    private static func yamsString(_ text: String) -> Node {
        let plainTag = Resolver.default.resolveTag(of: Node(text))
        let ambiguous = plainTag != .str || ["y", "Y", "n", "N"].contains(text)
        let style: Node.Scalar.Style = ambiguous ? .singleQuoted : .any
        return Node(text, Tag(.str), style)
    }

    private static func yamlFloatText(_ number: Double) -> String {
        if number.isNaN { return ".nan" }
        if number.isInfinite { return number < 0 ? "-.inf" : ".inf" }
        let text = number.pythonRepr
        if !text.contains("."), let exponent = text.firstIndex(of: "e") {
            return text[..<exponent] + ".0" + text[exponent...]
        }
        return text
    }
}

extension ConfigNode {
    /// The value as a YAML document; see `ConfigValue.yamlString(sortedKeys:)`.
    public func yamlString(sortedKeys: Bool = false) -> String {
        value.yamlString(sortedKeys: sortedKeys)
    }
}

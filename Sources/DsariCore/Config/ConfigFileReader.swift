import Foundation
import Yams

/// Reads one YAML or JSON file into a `ConfigNode` that knows the line of
/// every value. Used for configuration files, and by whatever else reads
/// dsari's structured files (triggers, return data).
///
/// YAML is read the way dsari's PyYAML `safe_load` reads it, through Yams:
/// YAML 1.1 scalars (`yes`/`no`/`on`/`off` are booleans, `0x1F` and `0o17`
/// integers, `.inf` a float, `~` null), quoted scalars always strings,
/// anchors and aliases expanded, `<<` merge keys applied. Differences from
/// PyYAML, each refused or kept visible rather than guessed:
/// - a key that appears twice in a mapping is an error (Yams refuses it;
///   PyYAML keeps the last);
/// - timestamps stay strings (PyYAML makes `datetime`s no dsari option takes);
/// - tags other than the standard scalar and collection ones are errors.
///
/// JSON is strict RFC 8259 (see `StrictJSONParser`).
public enum ConfigFileReader {
    /// The syntax of a file.
    public enum Format: Sendable, Hashable {
        case yaml
        case json

        /// The format a file name implies: `.json`, or `.yaml`/`.yml`.
        public init?(path: String) {
            if path.hasSuffix(".json") {
                self = .json
            } else if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
                self = .yaml
            } else {
                return nil
            }
        }
    }

    /// Aliases can make a small YAML file expand into a huge tree ("billion
    /// laughs"); past this many values reading stops with an error.
    static let maximumValueCount = 1_000_000

    /// Reads and parses `path`; an empty YAML file gives a null node.
    ///
    /// - Parameter format: the syntax; by default taken from the file name.
    /// - Throws: `ConfigError` naming the file (and line and column for
    ///   syntax errors).
    public static func read(path: String, format: Format? = nil) throws -> ConfigNode {
        guard let format = format ?? Format(path: path) else {
            throw ConfigError(
                "cannot tell whether the file is YAML or JSON: its name ends neither in .yaml nor in .json",
                file: path)
        }
        return try parse(try readText(path: path), format: format, file: path)
    }

    /// Reads a file whose top level must be a mapping (configuration files,
    /// triggers). Returns nil for a file with no content at all (an empty
    /// or comments-only YAML file, or a top-level `null`).
    public static func readMapping(path: String, format: Format? = nil) throws -> ConfigNode? {
        let node = try read(path: path, format: format)
        switch node.value {
        case .mapping: return node
        case .null: return nil
        default:
            throw ConfigError(
                "the file must hold a mapping of options (key: value) at the top level, not \(node.value.kind)",
                location: SourceLocation(file: path, line: node.location?.line ?? 1),
                expected: "a mapping")
        }
    }

    /// Parses text already read; `file` is the name errors and locations use.
    public static func parse(_ text: String, format: Format, file: String) throws -> ConfigNode {
        switch format {
        case .json: return try StrictJSONParser.parse(text, file: file)
        case .yaml: return try parseYAML(text, file: file)
        }
    }

    // MARK: Reading files

    /// The file's content as UTF-8 text. Only regular files are read: a FIFO
    /// would block the daemon and a directory is a mistake worth naming.
    static func readText(path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ConfigError("cannot be read: \(String(cString: strerror(errno)))", file: path)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ConfigError("cannot be read: \(String(cString: strerror(errno)))", file: path)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw ConfigError("cannot be read: it is not a regular file", file: path)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConfigError("cannot be read: \(String(cString: strerror(errno)))", file: path)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return try decodeUTF8(bytes, file: path)
    }

    private static func decodeUTF8(_ bytes: [UInt8], file: String) throws -> String {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        var line = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1, encoded.first == 0x0A { line += 1 }
                offset += encoded.count
            case .emptyInput:
                return String(decoding: bytes, as: UTF8.self)
            case .error(let length):
                _ = length
                throw ConfigError(
                    "is not valid UTF-8 text (byte \(offset + 1) of the file)",
                    location: SourceLocation(file: file, line: line))
            }
        }
    }

    // MARK: YAML

    static func parseYAML(_ text: String, file: String) throws -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlSyntaxError(error, text: text, file: file)
        }
        guard let root else {
            return ConfigNode(.null, location: SourceLocation(file: file, line: 1))
        }
        var budget = maximumValueCount
        return try convert(root, file: file, budget: &budget)
    }

    /// Yams nodes are not `Sendable`; they are turned into `ConfigNode`s
    /// here, right after parsing, and never leave this file.
    private static func convert(_ node: Node, file: String, budget: inout Int) throws -> ConfigNode {
        budget -= 1
        let location = node.mark.map { SourceLocation(file: file, line: $0.line) }
        if budget < 0 {
            throw ConfigError(
                "the YAML document expands to more than \(maximumValueCount) values (through aliases?)",
                location: location)
        }
        switch node {
        case .scalar(let scalar):
            return ConfigNode(try scalarValue(scalar, tag: tagName(of: node), location: location), location: location)
        case .sequence(let sequence):
            try requireCollectionTag(tagName(of: node), expected: .seq, location: location)
            var elements: [ConfigNode] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence {
                elements.append(try convert(element, file: file, budget: &budget))
            }
            return ConfigNode(.array(elements), location: location)
        case .mapping(let mapping):
            try requireCollectionTag(tagName(of: node), expected: .map, location: location)
            return ConfigNode(.mapping(try mappingEntries(mapping, file: file, budget: &budget)), location: location)
        case .alias:
            // Yams's composer substitutes the anchored node for every alias;
            // an unresolved alias cannot come out of `compose`.
            throw ConfigError("a YAML alias could not be resolved", location: location)
        }
    }

    /// The node's tag, resolved from its text for untagged plain scalars.
    private static func tagName(of node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.rawValue)
    }

    /// Entries of a mapping in file order, `<<` merge keys applied the way
    /// PyYAML does: explicit keys win over merged ones, and among a list of
    /// merged mappings the earlier wins.
    private static func mappingEntries(
        _ mapping: Node.Mapping, file: String, budget: inout Int
    ) throws -> [ConfigValue.Entry] {
        var merged: [ConfigValue.Entry] = []
        var explicit: [ConfigValue.Entry] = []
        var explicitKeys: Set<String> = []
        for (keyNode, valueNode) in mapping {
            let keyLocation = keyNode.mark.map { SourceLocation(file: file, line: $0.line) }
            guard case .scalar(let keyScalar) = keyNode else {
                throw ConfigError(
                    "a mapping key must be a plain value such as a name, not a list or a mapping",
                    location: keyLocation)
            }
            let keyTag = tagName(of: keyNode)
            if keyTag == .merge {
                merged = try mergeSources(valueNode, file: file, budget: &budget) + merged
                continue
            }
            let keyValue = try scalarValue(keyScalar, tag: keyTag, location: keyLocation)
            let key = keyScalar.string
            guard explicitKeys.insert(key).inserted else {
                throw ConfigError(
                    "invalid YAML: the key \(key.quotedForMessage) appears twice in one mapping",
                    location: keyLocation)
            }
            let value = try convert(valueNode, file: file, budget: &budget)
            explicit.append(
                ConfigValue.Entry(key: key, value: value, keyKind: keyValue.kind, keyLocation: keyLocation))
        }
        guard !merged.isEmpty else { return explicit }
        var entries: [ConfigValue.Entry] = []
        var indexByKey: [String: Int] = [:]
        for entry in merged + explicit {
            if let index = indexByKey[entry.key] {
                entries[index] = entry
            } else {
                indexByKey[entry.key] = entries.count
                entries.append(entry)
            }
        }
        return entries
    }

    /// The entries a `<<` key brings in, lowest precedence first: for a list
    /// of mappings the last comes first so that earlier ones override it.
    private static func mergeSources(
        _ node: Node, file: String, budget: inout Int
    ) throws -> [ConfigValue.Entry] {
        let location = node.mark.map { SourceLocation(file: file, line: $0.line) }
        let notMappings = ConfigError(
            "invalid YAML: a merge key (<<) must be followed by a mapping or a list of mappings",
            location: location)
        switch node {
        case .mapping:
            guard case .mapping(let entries) = try convert(node, file: file, budget: &budget).value else {
                throw notMappings
            }
            return entries
        case .sequence(let sequence):
            var result: [ConfigValue.Entry] = []
            for element in sequence.reversed() {
                guard case .mapping = element,
                    case .mapping(let entries) = try convert(element, file: file, budget: &budget).value
                else {
                    throw notMappings
                }
                result += entries
            }
            return result
        default:
            throw notMappings
        }
    }

    /// A scalar typed by its resolved tag, as PyYAML's safe loader types it.
    private static func scalarValue(
        _ scalar: Node.Scalar, tag: Tag.Name, location: SourceLocation?
    ) throws -> ConfigValue {
        switch tag {
        case .null:
            return .null
        case .bool:
            guard let flag = Bool.construct(from: scalar) else {
                throw unreadableScalar(scalar, as: "a boolean", location: location)
            }
            return .bool(flag)
        case .int:
            if scalar.string.contains(":") {
                // Yams' own reading of a base-60 integer traps past Int64.
                guard let value = sexagesimalInteger(scalar.string) else {
                    throw unreadableScalar(scalar, as: "an integer", location: location)
                }
                return value
            }
            if let integer = Int64.construct(from: scalar) {
                return .int(integer)
            }
            // Beyond 64 bits: kept as a float, as the JSON reader does.
            let digits = scalar.string.replacingOccurrences(of: "_", with: "")
            if digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }),
                let number = Double(digits)
            {
                return .double(number)
            }
            throw unreadableScalar(scalar, as: "an integer", location: location)
        case .float:
            guard let number = Double.construct(from: scalar) else {
                throw unreadableScalar(scalar, as: "a number", location: location)
            }
            return .double(number)
        case .str, .nonSpecific, .timestamp, .value, .merge, .binary:
            return .string(scalar.string)
        default:
            throw ConfigError(
                "invalid YAML: the tag \(tag.rawValue.quotedForMessage) is not supported", location: location)
        }
    }

    /// A YAML 1.1 base-60 integer (`190:20:30` = 685230), with overflow
    /// checks: past 64 bits it is kept as a float, as other integers that large.
    static func sexagesimalInteger(_ text: String) -> ConfigValue? {
        var digits = Substring(text.replacingOccurrences(of: "_", with: ""))
        let negative = digits.first == "-"
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        var exact: Int64? = 0
        var approximate = 0.0
        for part in digits.split(separator: ":", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Double(part) else { return nil }
            approximate = approximate * 60 + value
            if let sofar = exact, let digit = Int64(part) {
                let (shifted, overflow) = sofar.multipliedReportingOverflow(by: 60)
                let (sum, carry) = shifted.addingReportingOverflow(digit)
                exact = overflow || carry ? nil : sum
            } else {
                exact = nil
            }
        }
        if let exact { return .int(negative ? -exact : exact) }
        return .double(negative ? -approximate : approximate)
    }

    private static func unreadableScalar(
        _ scalar: Node.Scalar, as type: String, location: SourceLocation?
    ) -> ConfigError {
        ConfigError(
            "invalid YAML: \(scalar.string.quotedForMessage) is tagged as \(type) but cannot be read as one",
            location: location)
    }

    private static func requireCollectionTag(
        _ tag: Tag.Name, expected: Tag.Name, location: SourceLocation?
    ) throws {
        guard tag == expected || tag == .nonSpecific || tag == .implicit else {
            throw ConfigError(
                "invalid YAML: the tag \(tag.rawValue.quotedForMessage) is not supported", location: location)
        }
    }

    /// A Yams parse error as a `ConfigError` at the line and column it gives.
    private static func yamlSyntaxError(_ error: YamlError, text: String, file: String) -> ConfigError {
        func at(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: file, line: mark.line, column: mark.column)
        }
        func withContext(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context, !context.text.isEmpty else { return problem }
            return "\(problem) (\(context.text) on line \(context.mark.line))"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return ConfigError("invalid YAML: \(withContext(problem, context))", location: at(mark))
        case .reader(let problem, let offset, _, _):
            let line = offset.map { offset in
                text.utf8.prefix(offset).reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            }
            return ConfigError(
                "invalid YAML: \(problem)", location: SourceLocation(file: file, line: line ?? 1))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map(\.quotedForMessage).joined(separator: ", ")
            let noun = duplicates.count == 1 ? "the key \(keys) appears" : "the keys \(keys) appear"
            return ConfigError("invalid YAML: \(noun) twice in one mapping", location: at(context.mark))
        default:
            return ConfigError("invalid YAML: \(error)", location: SourceLocation(file: file, line: 1))
        }
    }
}

/// `read(2)`, out of reach by its plain name inside `ConfigFileReader`,
/// whose `read(path:format:)` shadows it.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

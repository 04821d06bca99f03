import Foundation

/// The value types options share: booleans, strings, paths, numbers, seconds, names, environments.
extension ConfigInterpreter {
    /// `environment` of the configuration or of a job: names to strings,
    /// with numbers turned into text as Python's `str()` does (5 → "5",
    /// 2.5 → "2.5", 1.0 → "1.0"). Values never appear in errors: they may
    /// be secrets.
    func environment(_ node: ConfigNode, subject: ConfigError.Subject?) throws -> [String: String] {
        let expected = "a mapping of variable names to strings or numbers"
        guard case .mapping(let entries) = node.value else {
            throw typeError(node, key: "environment", expected: expected, subject: subject, secret: true)
        }
        var environment: [String: String] = [:]
        for entry in entries {
            let location = entry.keyLocation ?? entry.value.location
            guard entry.keyKind == .string else {
                throw ConfigError(
                    "environment variable name \(entry.key) must be a string, not \(entry.keyKind) "
                        + "(write it in quotes)",
                    location: location, subject: subject, key: "environment", expected: expected)
            }
            if entry.key.isEmpty || entry.key.contains("=") || entry.key.unicodeScalars.contains("\0") {
                throw ConfigError(
                    "environment variable name \(entry.key.quotedForMessage) must not be empty "
                        + "nor contain \"=\" or a NUL character",
                    location: location, subject: subject, key: "environment", expected: expected)
            }
            let value = entry.value
            switch value.value {
            case .string(let text):
                if text.unicodeScalars.contains("\0") {
                    throw ConfigError(
                        "environment variable \(entry.key.quotedForMessage) must not contain a NUL character",
                        location: value.location, subject: subject, key: "environment", expected: expected)
                }
                environment[entry.key] = text
            case .int(let number):
                environment[entry.key] = String(number)
            case .double(let number):
                environment[entry.key] = number.pythonRepr
            default:
                throw ConfigError(
                    "environment variable \(entry.key.quotedForMessage) must be a string or a number, "
                        + "not \(value.value.kind)",
                    location: value.location, subject: subject, key: "environment", expected: expected)
            }
        }
        return environment
    }

    func bool(_ node: ConfigNode, key: String, subject: ConfigError.Subject?) throws -> Bool {
        guard case .bool(let flag) = node.value else {
            throw typeError(node, key: key, expected: "true or false", subject: subject)
        }
        return flag
    }

    func optionalString(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, expected: String
    ) throws -> String? {
        switch node.value {
        case .null: return nil
        case .string(let text): return text
        default: throw typeError(node, key: key, expected: expected, subject: subject)
        }
    }

    /// A path option, made absolute against the configuration directory.
    func path(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, inside parent: String? = nil
    ) throws -> String {
        guard case .string(let path) = node.value else {
            throw typeError(node, key: key, expected: "a path (a string)", subject: subject, inside: parent)
        }
        if path.isEmpty {
            throw ConfigError(
                "\(Self.keyName(key, inside: parent)) must be a path, not an empty string",
                location: node.location, subject: subject, key: key, expected: "a path (a string)")
        }
        return DsariPaths.resolve(path, relativeTo: configDirectory)
    }

    func optionalSeconds(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, allowZero: Bool
    ) throws -> Double? {
        if node.value.isNull { return nil }
        return try seconds(node, key: key, subject: subject, allowZero: allowZero)
    }

    /// A duration in seconds: an integer or a float (not a boolean), finite,
    /// not negative, and more than zero unless `allowZero`.
    func seconds(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, allowZero: Bool
    ) throws -> Double {
        let expected = "a number of seconds"
        let seconds = try number(node, key: key, subject: subject, expected: expected)
        let problem: String? =
            if !seconds.isFinite {
                "must be a finite number of seconds"
            } else if allowZero, seconds < 0 {
                "must be 0 or more seconds"
            } else if !allowZero, seconds <= 0 {
                "must be more than 0 seconds"
            } else {
                nil
            }
        if let problem {
            throw ConfigError(
                "\"\(key)\" \(problem), not \(node.value.briefDescription)", location: node.location,
                subject: subject, key: key, expected: expected)
        }
        return seconds
    }

    /// An integer or a float (not a boolean).
    func number(_ node: ConfigNode, key: String, subject: ConfigError.Subject?, expected: String) throws -> Double {
        switch node.value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: throw typeError(node, key: key, expected: expected, subject: subject)
        }
    }

    /// Why an `nrpe_allowed_hosts` entry cannot be used, or nil: empty, or
    /// `ADDRESS/BITS` that is not an IP network. Host names are resolved by
    /// the daemon when it starts.
    static func allowedHostProblem(_ entry: String) -> String? {
        if entry.isEmpty { return "is empty" }
        // A host name is resolved by the listener at start; an address or network must be one.
        guard entry.contains("/") else { return nil }
        return IPNetwork.problem(with: entry)
    }

    /// A percentage, 0 to 100 (an integer or a float).
    func percent(_ node: ConfigNode, key: String, subject: ConfigError.Subject?) throws -> Double {
        let expected = "a percentage from 0 to 100"
        let value = try number(node, key: key, subject: subject, expected: expected)
        guard value >= 0, value <= 100 else { throw typeError(node, key: key, expected: expected, subject: subject) }
        return value
    }

    func outputLimit(_ node: ConfigNode, key: String) throws -> Int {
        try integer(node, key: key, subject: nil, minimum: 0, expected: "a whole number, 0 or more (0 means no limit)")
    }

    func integer(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, minimum: Int64, expected: String
    ) throws -> Int {
        guard case .int(let number) = node.value, number >= minimum, let result = Int(exactly: number) else {
            throw typeError(node, key: key, expected: expected, subject: subject)
        }
        return result
    }

    /// A list of job or group names, each checked.
    func nameList(
        _ node: ConfigNode, key: String, what: String, subject: ConfigError.Subject
    ) throws -> [String] {
        let expected = "a list of \(what) names"
        guard case .array(let elements) = node.value else {
            throw typeError(node, key: key, expected: expected, subject: subject)
        }
        return try elements.map { element in
            guard case .string(let name) = element.value else {
                throw ConfigError(
                    "\"\(key)\" must be \(expected), but it holds \(element.value.briefDescription)",
                    location: element.location ?? node.location, subject: subject, key: key, expected: expected)
            }
            if let problem = ConfigName.problem(with: name) {
                throw ConfigError(
                    "the \(what) name \(name.quotedForMessage) in \"\(key)\" \(problem)",
                    location: element.location ?? node.location, subject: subject, key: key,
                    expected: "a valid \(what) name")
            }
            return name
        }
    }

    /// The key of a mapping entry as a job or group name, checked.
    func checkedName(_ entry: ConfigValue.Entry, what: String) throws -> String {
        let location = entry.keyLocation ?? entry.value.location
        guard entry.keyKind == .string else {
            throw ConfigError(
                "the \(what) name \(entry.key) is read as \(entry.keyKind), not as a name (write it in quotes)",
                location: location, key: entry.key, expected: "a valid \(what) name")
        }
        if let problem = ConfigName.problem(with: entry.key) {
            throw ConfigError(
                "the \(what) name \(entry.key.quotedForMessage) \(problem)", location: location, key: entry.key,
                expected: "a valid \(what) name")
        }
        return entry.key
    }
}

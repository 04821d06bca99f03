import Foundation

/// Errors and warnings: type errors, unknown keys and "did you mean".
extension ConfigInterpreter {
    // MARK: Messages

    /// "\"key\" must be EXPECTED, not the string \"x\"" at the value; only
    /// the type is shown when the value may be a secret.
    func typeError(
        _ node: ConfigNode, key: String, expected: String, subject: ConfigError.Subject?, secret: Bool = false,
        inside parent: String? = nil
    ) -> ConfigError {
        let shown = secret ? node.value.kind.description : node.value.briefDescription
        return ConfigError(
            "\(Self.keyName(key, inside: parent)) must be \(expected), not \(shown)", location: node.location,
            subject: subject, key: key, expected: expected)
    }

    static func keyName(_ key: String, inside parent: String?) -> String {
        parent.map { "\"\($0).\(key)\"" } ?? "\"\(key)\""
    }

    mutating func warnUnknown(
        _ entry: ConfigValue.Entry, known: [String], subject: ConfigError.Subject?, inside parent: String? = nil
    ) {
        var message = "unknown option \(Self.keyName(entry.key, inside: parent)) is ignored"
        if let suggestion = Self.closest(to: entry.key, among: known) {
            message += " (did you mean \(Self.keyName(suggestion, inside: parent))?)"
        }
        warnings.append(
            ConfigWarning(message, location: entry.keyLocation ?? entry.value.location, subject: subject, key: entry.key))
    }

    /// The known key a misspelt one most likely meant: at most a third of
    /// its letters (and at least one) away.
    static func closest(to key: String, among known: [String]) -> String? {
        let limit = max(1, key.count / 3)
        let scored = known.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= limit }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ left: String, _ right: String) -> Int {
        let left = Array(left)
        let right = Array(right)
        var previous = Array(0...right.count)
        for (i, leftCharacter) in left.enumerated() {
            var current = [i + 1]
            for (j, rightCharacter) in right.enumerated() {
                let substitution = previous[j] + (leftCharacter == rightCharacter ? 0 : 1)
                current.append(min(substitution, previous[j + 1] + 1, current[j] + 1))
            }
            previous = current
        }
        return previous[right.count]
    }
}

/// The rule dsari applies to the names of jobs, job groups and concurrency
/// groups. A job's name becomes a directory under `DATA_DIR/runs/`, hence
/// no `/`, `.` or `..`.
public enum ConfigName {
    public static let maximumLength = 64

    /// What is wrong with `name` as a sentence fragment ("must not contain
    /// \"/\""), or nil when it is a valid name.
    public static func problem(with name: String) -> String? {
        if name.isEmpty {
            return "must not be empty"
        }
        if name.unicodeScalars.contains("/") {
            return "must not contain \"/\""
        }
        if name == "." || name == ".." {
            return "must not be \".\" or \"..\""
        }
        let length = name.unicodeScalars.count
        if length > maximumLength {
            return "must be at most \(maximumLength) characters long, not \(length)"
        }
        if let bad = name.unicodeScalars.first(where: { !isAllowed($0) }) {
            let shown =
                bad.value < 0x21 || bad.value >= 0x7F
                ? "U+" + String(bad.value, radix: 16, uppercase: true) : "\"\(bad)\""
            return "may only contain letters A-Z and a-z, digits, spaces and - _ + . : @ (not \(shown))"
        }
        return nil
    }

    /// dsari's pattern `^[- A-Za-z0-9_+.:@]+$`, ASCII only.
    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", " ", "_", "+", ".", ":", "@": true
        default: false
        }
    }
}

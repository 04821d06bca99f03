extension ShellWords {
    /// Joins words into one line a POSIX shell splits back into the same
    /// words, quoting like Python's `shlex.quote` (dsari-info shows commands so).
    public static func quote(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    /// One word, single-quoted unless it only holds characters a shell leaves alone.
    public static func quote(_ word: String) -> String {
        if word.isEmpty { return "''" }
        let safe = word.unicodeScalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_")
                || "@%+=:,./-".unicodeScalars.contains(scalar)
        }
        if safe { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\"'\"'") + "'"
    }
}

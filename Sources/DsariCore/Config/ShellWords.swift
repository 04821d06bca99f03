/// Splits a command line into words exactly as dsari does for a `command`
/// given as a string: Python's `shlex.split(text)` (POSIX mode, no comments).
///
/// The rules, which differ from a real shell in places (kept, since a job
/// migrated from dsari must get the same arguments):
/// - words are separated by space, tab, carriage return and newline only;
/// - single quotes keep everything literally up to the next single quote;
/// - inside double quotes a backslash escapes only `"` and `\`; before any
///   other character (even `$`, a backquote or a newline) it stays as is;
/// - outside quotes a backslash takes the next character literally, whatever
///   it is (a backslash-newline becomes a newline in the word);
/// - quoted parts and unquoted parts next to each other form one word, and
///   `''` or `""` alone is an empty word;
/// - `#`, `$`, `;`, `|` and the like have no special meaning.
public enum ShellWords {
    /// Why a string could not be split.
    public struct SplitError: Error, Sendable, Hashable, CustomStringConvertible {
        public enum Reason: Sendable, Hashable {
            /// A quote is never closed (shlex: "No closing quotation").
            case unclosedQuote(Character)
            /// The text ends with a backslash (shlex: "No escaped character").
            case trailingBackslash
        }

        public var reason: Reason
        /// 1-based position (in Unicode scalars) of the opening quote or
        /// the backslash.
        public var position: Int

        public var description: String {
            switch reason {
            case .unclosedQuote(let quote):
                let name = quote == "'" ? "single" : "double"
                return "the \(name) quote (\(quote)) at character \(position) is never closed"
            case .trailingBackslash:
                return "the backslash at character \(position) ends the text, with nothing after it to escape"
            }
        }
    }

    /// The words of `text`; throws `SplitError` for an unclosed quote or a
    /// trailing backslash.
    public static func split(_ text: String) throws -> [String] {
        enum State {
            case between, word, singleQuoted, doubleQuoted
        }
        var words: [String] = []
        var word = String.UnicodeScalarView()
        // True once the current word has had a quoted part: `''` is a word.
        var hasWord = false
        var state = State.between
        var iterator = text.unicodeScalars.makeIterator()
        var position = 0
        var quoteStart = 0

        // shlex reads code points, not grapheme clusters: "\r\n" is two
        // separators, and a combining mark after a quote is a new character.
        while let scalar = iterator.next() {
            position += 1
            switch state {
            case .between, .word:
                switch scalar {
                case " ", "\t", "\r", "\n":
                    if hasWord {
                        words.append(String(word))
                        word = String.UnicodeScalarView()
                        hasWord = false
                    }
                    state = .between
                case "'":
                    state = .singleQuoted
                    quoteStart = position
                    hasWord = true
                case "\"":
                    state = .doubleQuoted
                    quoteStart = position
                    hasWord = true
                case "\\":
                    guard let escaped = iterator.next() else {
                        throw SplitError(reason: .trailingBackslash, position: position)
                    }
                    position += 1
                    word.append(escaped)
                    hasWord = true
                    state = .word
                default:
                    word.append(scalar)
                    hasWord = true
                    state = .word
                }
            case .singleQuoted:
                if scalar == "'" {
                    state = .word
                } else {
                    word.append(scalar)
                }
            case .doubleQuoted:
                switch scalar {
                case "\"":
                    state = .word
                case "\\":
                    guard let escaped = iterator.next() else {
                        throw SplitError(reason: .trailingBackslash, position: position)
                    }
                    position += 1
                    if escaped != "\"" && escaped != "\\" {
                        word.append(scalar)
                    }
                    word.append(escaped)
                default:
                    word.append(scalar)
                }
            }
        }
        switch state {
        case .singleQuoted:
            throw SplitError(reason: .unclosedQuote("'"), position: quoteStart)
        case .doubleQuoted:
            throw SplitError(reason: .unclosedQuote("\""), position: quoteStart)
        case .between, .word:
            if hasWord { words.append(String(word)) }
        }
        return words
    }
}

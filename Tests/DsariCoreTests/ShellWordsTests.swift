import Testing

@testable import DsariCore

/// Expected results are Python 3.11's `shlex.split` output for the same
/// input (dsari splits string commands with it).
@Suite("ShellWords.split matches Python's shlex.split")
struct ShellWordsTests {
    @Test(
        "splits like shlex",
        arguments: [
            ("", []),
            ("   ", []),
            ("a b  c", ["a", "b", "c"]),
            ("echo 'hello world'", ["echo", "hello world"]),
            ("echo \"hello world\"", ["echo", "hello world"]),
            ("a\"\"b", ["ab"]),
            ("x '' y", ["x", "", "y"]),
            ("\"\"", [""]),
            ("a\\ b", ["a b"]),
            ("a\\\\b", ["a\\b"]),
            ("\"a\\\"b\"", ["a\"b"]),
            ("\"a\\\\b\"", ["a\\b"]),
            // Inside double quotes only \" and \\ are escapes.
            ("\"a\\$b\"", ["a\\$b"]),
            ("\"a\\nb\"", ["a\\nb"]),
            ("\"a\\`b\"", ["a\\`b"]),
            ("\"\\x\"", ["\\x"]),
            ("\"a\\\nb\"", ["a\\\nb"]),
            // Single quotes keep backslashes.
            ("'a\\b'", ["a\\b"]),
            // Outside quotes a backslash takes any character, newline included.
            ("a\\\nb", ["a\nb"]),
            ("\\\\", ["\\"]),
            ("a\tb\nc\rd", ["a", "b", "c", "d"]),
            ("a\r\nb", ["a", "b"]),
            // No comments, no shell operators.
            ("# not a comment", ["#", "not", "a", "comment"]),
            ("a#b", ["a#b"]),
            ("x$HOME;y|z&", ["x$HOME;y|z&"]),
            ("'\"'", ["\""]),
            ("\"'\"", ["'"]),
            // Only space, tab, CR and LF separate words: not NBSP.
            ("é \u{A0}x", ["é", "\u{A0}x"]),
            ("sh -c 'echo \"$1\"' --", ["sh", "-c", "echo \"$1\"", "--"]),
            ("--opt=\"a b\" --x='c d'", ["--opt=a b", "--x=c d"]),
        ] as [(String, [String])])
    func splitsLikeShlex(input: String, expected: [String]) throws {
        #expect(try ShellWords.split(input) == expected)
    }

    @Test(
        "refuses what shlex refuses",
        arguments: [
            ("\"abc", ShellWords.SplitError(reason: .unclosedQuote("\""), position: 1)),
            ("x 'abc", ShellWords.SplitError(reason: .unclosedQuote("'"), position: 3)),
            ("a \"b' c", ShellWords.SplitError(reason: .unclosedQuote("\""), position: 3)),
            ("a 'b\" c", ShellWords.SplitError(reason: .unclosedQuote("'"), position: 3)),
            ("abc\\", ShellWords.SplitError(reason: .trailingBackslash, position: 4)),
            // shlex says "No escaped character" here, not "No closing quotation".
            ("\"abc\\", ShellWords.SplitError(reason: .trailingBackslash, position: 5)),
        ] as [(String, ShellWords.SplitError)])
    func refusesLikeShlex(input: String, expected: ShellWords.SplitError) {
        #expect(throws: expected) { try ShellWords.split(input) }
    }

    @Test func errorsReadAsSentences() {
        #expect(
            ShellWords.SplitError(reason: .unclosedQuote("'"), position: 6).description
                == "the single quote (') at character 6 is never closed")
        #expect(
            ShellWords.SplitError(reason: .unclosedQuote("\""), position: 1).description
                == "the double quote (\") at character 1 is never closed")
        #expect(
            ShellWords.SplitError(reason: .trailingBackslash, position: 4).description
                == "the backslash at character 4 ends the text, with nothing after it to escape")
    }
}

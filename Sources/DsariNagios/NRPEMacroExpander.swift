/// Expands the macros of a command line the way NRPE 4.1's `process_macros`
/// does before running it.
///
/// The line is cut at every `$`; the pieces are alternately text and macro.
/// A macro `ARGn` (n from 1 to 16; NRPE reads n with `atoi`, so `ARG1x` is
/// `ARG1`) becomes the n-th argument, an empty macro (`$$`) becomes `$`, an
/// `ARG` out of range becomes nothing, and any other macro is kept with its
/// `$` signs. A lone `$` therefore starts a macro that the end of the line
/// closes: NRPE runs `echo $HOME` as `echo $HOME$`.
public enum NRPEMacroExpander {
    /// NRPE's `MAX_COMMAND_ARGUMENTS`.
    public static let maximumArguments = 16

    /// `line` with its macros replaced; `arguments[0]` is `$ARG1$`, missing
    /// arguments are empty (as when check_nrpe sends none).
    public static func expand(_ line: String, arguments: [String]) -> String {
        var output = ""
        for (index, piece) in pieces(of: line).enumerated() {
            if index % 2 == 0 {
                output += piece
            } else if let number = argumentNumber(piece) {
                if (1...maximumArguments).contains(number), number <= arguments.count {
                    output += arguments[number - 1]
                }
            } else if piece.isEmpty {
                output += "$"
            } else {
                output += "$" + piece + "$"
            }
        }
        return output
    }

    /// The argument numbers (1–16) the line uses, ascending, without repeats.
    public static func argumentNumbers(in line: String) -> [Int] {
        let numbers = pieces(of: line).enumerated().compactMap { index, piece in
            index % 2 == 1 ? argumentNumber(piece) : nil
        }
        return Set(numbers.filter { (1...maximumArguments).contains($0) }).sorted()
    }

    /// True when the line has an odd number of `$`, so that its last macro
    /// is closed by the end of the line (and NRPE adds a `$`).
    public static func hasUnpairedDollar(_ line: String) -> Bool {
        line.utf8.count { $0 == UInt8(ascii: "$") } % 2 == 1
    }

    private static func pieces(of line: String) -> [String] {
        line.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
    }

    /// n for a macro starting with `ARG`, as `atoi` reads it (0 when no digits follow).
    private static func argumentNumber(_ piece: String) -> Int? {
        guard piece.hasPrefix("ARG") else { return nil }
        var rest = piece.dropFirst(3).drop { $0 == " " || $0 == "\t" }
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }.prefix(9)
        let number = Int(digits) ?? 0
        return negative ? -number : number
    }
}

import DsariTestSupport

/// A seeded mutational fuzzer's input maker (no coverage feedback): byte
/// flips, random and "interesting" bytes, insertions, deletions,
/// duplications, splices with other corpus entries, tokens of the target's
/// syntax and interesting numbers in place of numbers. Deterministic for a
/// seed, so a failure can be replayed with `DSARI_FUZZ_SEED`.
struct Mutator {
    var random: SeededGenerator
    let corpus: [[UInt8]]
    let tokens: [[UInt8]]
    static let maximumLength = 65_536

    static let interestingBytes: [UInt8] = [
        0, 0x09, 0x0A, 0x0D, 0x20, 0x22, 0x27, 0x2C, 0x3A, 0x3B, 0x3D, 0x5C, 0x7C, 0x7F, 0x80, 0xC0, 0xE2, 0xF0, 0xFF,
    ]
    static let interestingNumbers: [String] = [
        "0", "-0", "1", "-1", "7", "8", "59", "60", "61", "24", "31", "32", "366", "53", "-53", "127", "128", "255", "256", "65535",
        "65536",
        "2147483647", "2147483648", "-2147483649", "4294967295", "4294967296", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e308", "1e309", "-1e309", "2.5e-324", "0.1", "NaN",
        "inf", "-inf", ".inf", ".nan", "0x7fffffff", "0o777", "1_000", "00", "9999999999999999999999999999",
    ]

    init(seed: UInt64, corpus: [[UInt8]], tokens: [String]) {
        random = SeededGenerator(state: seed)
        self.corpus = corpus.isEmpty ? [[]] : corpus
        self.tokens = tokens.map { Array($0.utf8) } + Self.interestingNumbers.map { Array($0.utf8) }
    }

    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(random.next() % UInt64(bound)) }

    /// A corpus entry, mutated one to eight times.
    mutating func next() -> [UInt8] {
        var data = corpus[below(corpus.count)]
        for _ in 0...below(8) { mutate(&data) }
        if data.count > Self.maximumLength { data.removeLast(data.count - Self.maximumLength) }
        return data
    }

    mutating func mutate(_ data: inout [UInt8]) {
        let position = below(data.count + 1)
        switch below(11) {
        case 0 where !data.isEmpty:
            data[min(position, data.count - 1)] ^= UInt8(1) << UInt8(below(8))
        case 1 where !data.isEmpty:
            data[min(position, data.count - 1)] = UInt8(truncatingIfNeeded: random.next())
        case 2:
            data.insert(contentsOf: (0...below(8)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position)
        case 3:
            data.insert(Self.interestingBytes[below(Self.interestingBytes.count)], at: position)
        case 4 where !data.isEmpty:
            data.removeSubrange(position..<min(data.count, position + 1 + below(16)))
        case 5 where !data.isEmpty:
            let start = below(data.count)
            let piece = data[start..<min(data.count, start + 1 + below(64))]
            data.insert(contentsOf: Array(piece), at: position)
        case 6:
            // Splice: this entry's head with another's tail.
            let other = corpus[below(corpus.count)]
            data = Array(data.prefix(position)) + other.suffix(max(0, other.count - below(other.count + 1)))
        case 7, 8:
            data.insert(contentsOf: tokens[below(tokens.count)], at: position)
        case 9:
            replaceNumber(&data, from: position)
        default:
            // Repeat a short piece many times (deep nesting, long lines).
            let start = below(max(1, data.count))
            let piece = data.isEmpty ? [UInt8(ascii: "[")] : Array(data[start..<min(data.count, start + 1 + below(4))])
            data.insert(contentsOf: Array(repeating: piece, count: 1 + below(200)).flatMap { $0 }, at: min(position, data.count))
        }
    }

    /// Replaces the first run of digits at or after `position` with an interesting number.
    private mutating func replaceNumber(_ data: inout [UInt8], from position: Int) {
        let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
        guard let start = data[position...].firstIndex(where: isDigit) ?? data.firstIndex(where: isDigit) else {
            data.insert(contentsOf: Array(Self.interestingNumbers[below(Self.interestingNumbers.count)].utf8), at: position)
            return
        }
        let end = data[start...].firstIndex { !isDigit($0) } ?? data.count
        data.replaceSubrange(start..<end, with: Array(Self.interestingNumbers[below(Self.interestingNumbers.count)].utf8))
    }
}

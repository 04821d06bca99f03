/// Expands Jenkins-style `H` (hash) and `R` (random) items of a cron
/// expression into plain cron syntax, exactly as dsari 2.0 does, so that a
/// job keeps its time when migrated from dsari.
///
/// With `crc` the CRC-32 of the job name and `pos` the field position
/// (0 minute … 5 second), `hash(pos, lo, hi) = ((crc >> pos) % (hi - lo + 1)) + lo`:
/// - `H` → `hash(pos, fieldLow, fieldHigh)`
/// - `H(a-b)` → `hash(pos, a, b)`, a bound written as 0 meaning the field's own
///   bound (dsari tests "is it set" the Python way, and 0 is "not set")
/// - `H/n` → `v-fieldHigh/n` with `v = hash(pos, fieldLow, n)` (upper end `n`, not `n-1`: dsari's quirk)
/// - `H(a-b)/n` → `(v+a)-b/n` with the same `v`
/// - `R…` → the same forms with a random value drawn over the same range.
struct JenkinsHashExpander {
    let crc: UInt32

    /// Expands one item at field `position`; items without `H`/`R` come back unchanged.
    func expand<Generator: RandomNumberGenerator>(
        _ item: String, position: Int, random: inout Generator
    ) -> String {
        guard let first = item.first, first == "H" || first == "R" else { return item }
        let bounds = CronField(rawValue: position)?.hashBounds ?? 0...59
        let isRandom = first == "R"
        func pick(_ low: Int?, _ high: Int?) -> Int {
            let lo = low.flatMap { $0 == 0 ? nil : $0 } ?? bounds.lowerBound
            let hi = high.flatMap { $0 == 0 ? nil : $0 } ?? bounds.upperBound
            guard hi >= lo else { return lo }  // an empty range: the cron parser refuses the result
            if isRandom { return Int.random(in: lo...hi, using: &random) }
            // In 64 bits: a written bound may be any size (H/4294967296 trapped in 32).
            return Int(UInt64(crc >> UInt32(position)) % (UInt64(hi - lo) + 1)) + lo
        }
        let rest = item.dropFirst()
        if rest.isEmpty {
            return String(pick(nil, nil))
        }
        if let step = Self.number(after: "/", in: rest) {
            // H/n
            return "\(pick(nil, step))-\(bounds.upperBound)/\(step)"
        }
        guard rest.first == "(", let close = rest.firstIndex(of: ")") else { return item }
        let inside = rest[rest.index(after: rest.startIndex)..<close].split(separator: "-", omittingEmptySubsequences: false)
        guard inside.count == 2, let a = Int(inside[0]), let b = Int(inside[1]),
            inside.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return item }
        let tail = rest[rest.index(after: close)...]
        if tail.isEmpty {
            // H(a-b)
            return String(pick(a, b))
        }
        if let step = Self.number(after: "/", in: tail) {
            // H(a-b)/n; a start past Int.max is left for the cron parser to refuse.
            let (start, overflow) = pick(nil, step).addingReportingOverflow(a)
            return overflow ? item : "\(start)-\(b)/\(step)"
        }
        return item
    }

    /// The decimal number in `text` after `prefix`, when that is all of `text`.
    private static func number(after prefix: Character, in text: Substring) -> Int? {
        guard text.first == prefix else { return nil }
        let digits = text.dropFirst()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }
}

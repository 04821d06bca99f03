extension Double {
    /// The text Python's `str()`/`repr()` gives this float: `1.0`, `2.5`,
    /// `1e+16`, `1e-05`, `inf`, `nan`.
    ///
    /// dsari turns numbers in `environment` into strings with `str()`, so a
    /// job migrated from dsari must see the same text. Both languages print
    /// the shortest digits that round-trip; the layout rule is Python's:
    /// exponent form when the decimal exponent is below -4 or above 15.
    public var pythonRepr: String {
        if isNaN { return "nan" }
        if isInfinite { return self < 0 ? "-inf" : "inf" }
        // The common case, cheaply: where both languages print plain
        // decimals (Python from 1e-4 up to 1e16, Swift at least over this
        // range), the shortest digits are laid out alike ("2.5", "1.0").
        let magnitude = abs(self)
        if magnitude >= 1e-4, magnitude < 1e15 {
            let text = description
            if !text.utf8.contains(UInt8(ascii: "e")) { return text }
        }
        let (negative, digits, pointPosition) = shortestDecimalDigits
        let sign = negative ? "-" : ""
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 16 {
            var mantissa = String(digits.first!)
            if digits.count > 1 {
                mantissa += "." + digits.dropFirst()
            }
            let exponentSign = exponent < 0 ? "-" : "+"
            let magnitude = abs(exponent)
            let exponentDigits = magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
            return "\(sign)\(mantissa)e\(exponentSign)\(exponentDigits)"
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        }
        let split = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// The shortest round-tripping decimal digits of a finite value (no
    /// leading or trailing zeros, "0" for zero) and where the decimal point
    /// goes: value = 0.DIGITS × 10^pointPosition.
    ///
    /// Swift's `description` already prints the shortest round-tripping
    /// digits; this only takes its layout apart.
    private var shortestDecimalDigits: (negative: Bool, digits: String, pointPosition: Int) {
        var text = Substring(description)
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        var exponent = 0
        if let marker = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: marker)...])!
            text = text[..<marker]
        }
        let integerPart: Substring
        let fractionPart: Substring
        if let point = text.firstIndex(of: ".") {
            integerPart = text[..<point]
            fractionPart = text[text.index(after: point)...]
        } else {
            integerPart = text
            fractionPart = ""
        }
        var digits = String(integerPart) + fractionPart
        var pointPosition = integerPart.count + exponent
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.count > 1, digits.last == "0" {
            digits.removeLast()
        }
        if digits == "0" {
            pointPosition = 1
        }
        return (negative, digits, pointPosition)
    }
}

/// The numbers of performance data: `[-+]digits[.digits][e[-+]digits]`.
enum PerfNumber {
    /// The number `text` is in full, or nil.
    static func parse(_ text: Substring) -> Double? {
        guard let (number, length) = prefix(of: text), length == text.utf8.count else { return nil }
        return number
    }

    /// The number at the start of `text` and its length in UTF-8 bytes.
    static func prefix(of text: Substring) -> (Double, Int)? {
        let bytes = Array(text.utf8)
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        var mantissa = digits()
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            mantissa += digits()
        }
        guard mantissa > 0 else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            let mark = index
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            if digits() == 0 { index = mark }
        }
        guard let number = Double(String(decoding: bytes[0..<index], as: UTF8.self)) else { return nil }
        return (number, index)
    }
}

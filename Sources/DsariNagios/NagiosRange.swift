import DsariCore

/// A threshold range of the Nagios plugin guidelines: `[@][start:]end`.
///
/// `10` is 0 to 10, `10:` is 10 to infinity, `~:10` is minus infinity to 10,
/// `10:20` is 10 to 20 (ends included). A check alerts when the value is
/// *outside* the range, or, with a leading `@`, *inside* it.
public struct NagiosRange: Sendable, Hashable, CustomStringConvertible {
    /// `-infinity` for `~`.
    public var start: Double
    /// `infinity` when nothing follows the `:`.
    public var end: Double
    /// True for `@`: alert when the value is inside the range.
    public var alertsInside: Bool
    /// The range as written.
    public var text: String

    /// Why a text is not a range, as a sentence fragment.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `text` as monitoring-plugins' `parse_range_string` does (an
    /// empty start is 0).
    public init(_ text: String) throws(ParseError) {
        self.text = text
        var rest = Substring(text)
        alertsInside = rest.first == "@"
        if alertsInside { rest = rest.dropFirst() }
        guard !rest.isEmpty else { throw ParseError(description: "range \(text.quotedForMessage) is empty") }
        if let colon = rest.firstIndex(of: ":") {
            let startText = rest[..<colon]
            let endText = rest[rest.index(after: colon)...]
            if startText == "~" {
                start = -.infinity
            } else if startText.isEmpty {
                start = 0
            } else if let number = PerfNumber.parse(startText) {
                start = number
            } else {
                throw ParseError(description: "range \(text.quotedForMessage) has no number before \":\"")
            }
            if endText.isEmpty {
                end = .infinity
            } else if let number = PerfNumber.parse(endText) {
                end = number
            } else {
                throw ParseError(description: "range \(text.quotedForMessage) has no number after \":\"")
            }
        } else if let number = PerfNumber.parse(rest) {
            start = 0
            end = number
        } else {
            throw ParseError(description: "range \(text.quotedForMessage) is not [@][start:]end")
        }
        guard start <= end else {
            throw ParseError(description: "range \(text.quotedForMessage) starts after it ends")
        }
    }

    /// True when `value` calls for an alert under this range.
    public func alerts(on value: Double) -> Bool {
        let inside = value >= start && value <= end
        return alertsInside ? inside : !inside
    }

    public var description: String { text }
}

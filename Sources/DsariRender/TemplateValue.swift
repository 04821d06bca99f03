/// What a template variable holds. Numbers and times reach templates as text
/// already formatted for people, so that templates need no logic.
indirect enum TemplateValue: Sendable, Hashable {
    /// Absent: prints nothing, and a section over it is skipped.
    case null
    case bool(Bool)
    case text(String)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// False for null, false, empty text and an empty list: what `{{#name}}`
    /// skips and `{{^name}}` shows.
    var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let flag): flag
        case .text(let text): !text.isEmpty
        case .list(let items): !items.isEmpty
        case .object: true
        }
    }

    /// `.text` of an optional value, or `.null`.
    static func text(_ value: String?) -> TemplateValue { value.map(TemplateValue.text) ?? .null }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    init(stringLiteral value: String) { self = .text(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

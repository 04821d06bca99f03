/// A page template in the Mustache subset `dsari-render` reads (README,
/// "dsari-render"): `{{name}}` (HTML-escaped), `{{{name}}}` and `{{&name}}`
/// (as is), `{{#name}}…{{/name}}` (a list repeats, a true value shows once),
/// `{{^name}}…{{/name}}` (shows when the value is false, empty or null),
/// `{{! comment }}`, dotted names (`last_run.exit_code`) and `{{.}}` (the
/// current item). No partials, no delimiter changes, no lambdas.
///
/// Stricter than Mustache in one way: a name that no enclosing context has is
/// an error naming the file and line, not silently empty, because the
/// variables each page gets are fixed and documented, so such a name is a typo.
struct Template: Sendable {
    /// Where a tag starts in the template file, 1-based.
    struct Position: Sendable, Hashable {
        var line: Int
        var column: Int
    }

    indirect enum Node: Sendable, Hashable {
        case text(String)
        case variable(name: String, escaped: Bool, at: Position)
        case section(name: String, inverted: Bool, children: [Node], at: Position)
    }

    /// The file the template came from (for messages).
    let file: String
    let nodes: [Node]

    /// Parses `source`; a syntax error names `file`, the line, the column and the reason.
    init(source: String, file: String) throws(TemplateError) {
        self.file = file
        self.nodes = try TemplateParser(source: source, file: file).parse()
    }

    /// The page for `context` (an `.object` whose keys are the top-level variables).
    func render(_ context: TemplateValue) throws(TemplateError) -> String {
        var output = ""
        var stack = [context]
        try render(nodes, stack: &stack, into: &output)
        return output
    }

    private func render(_ nodes: [Node], stack: inout [TemplateValue], into output: inout String) throws(TemplateError) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .variable(let name, let escaped, let position):
                let value = try lookup(name, in: stack, at: position)
                let text: String
                switch value {
                case .null: text = ""
                case .bool(let flag): text = flag ? "true" : "false"
                case .text(let string): text = string
                case .list, .object:
                    throw error(
                        at: position,
                        "{{\(name)}} is a \(value.kindName), which cannot be printed; use {{#\(name)}}…{{/\(name)}} to go into it.")
                }
                output += escaped ? text.htmlEscaped : text
            case .section(let name, let inverted, let children, let position):
                let value = try lookup(name, in: stack, at: position)
                if inverted {
                    if !value.isTruthy { try render(children, stack: &stack, into: &output) }
                    continue
                }
                guard value.isTruthy else { continue }
                let items: [TemplateValue]
                if case .list(let list) = value { items = list } else { items = [value] }
                for item in items {
                    stack.append(item)
                    defer { stack.removeLast() }
                    try render(children, stack: &stack, into: &output)
                }
            }
        }
    }

    /// The value of a (dotted) name: its first part from the innermost
    /// context that has it, the rest inside that value. A null on the way
    /// gives null (so `{{last_run.exit_code}}` is empty for a job without runs).
    private func lookup(_ name: String, in stack: [TemplateValue], at position: Position) throws(TemplateError) -> TemplateValue {
        if name == "." { return stack.last ?? .null }
        let parts = name.split(separator: ".").map(String.init)
        var found: TemplateValue?
        for context in stack.reversed() {
            if case .object(let fields) = context, let value = fields[parts[0]] {
                found = value
                break
            }
        }
        guard var value = found else {
            var known: Set<String> = []
            for case .object(let fields) in stack { known.formUnion(fields.keys) }
            throw error(
                at: position, "there is no variable \"\(parts[0])\" here; known here: \(known.sorted().joined(separator: ", ")).")
        }
        for (index, part) in parts.enumerated().dropFirst() {
            let path = parts[..<index].joined(separator: ".")
            switch value {
            case .null:
                return .null
            case .object(let fields):
                guard let next = fields[part] else {
                    throw error(
                        at: position,
                        "\"\(path)\" has no \"\(part)\"; it has: \(fields.keys.sorted().joined(separator: ", ")).")
                }
                value = next
            default:
                throw error(at: position, "\"\(path)\" is a \(value.kindName), which has no \"\(part)\".")
            }
        }
        return value
    }

    private func error(at position: Position, _ reason: String) -> TemplateError {
        TemplateError(file: file, line: position.line, column: position.column, reason: reason)
    }
}

extension TemplateValue {
    /// The kind of value, as messages name it.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .text: "text"
        case .list: "list"
        case .object: "object"
        }
    }
}

/// A configuration value with the place it was read from, so that errors
/// found after merging several files still name the right file and line.
///
/// Equality and hashing look at the value only: the same configuration read
/// from a different file is the same configuration.
public struct ConfigNode: Sendable, Hashable {
    public var value: ConfigValue
    /// Where the value starts; nil for values built in code.
    public var location: SourceLocation?

    public init(_ value: ConfigValue, location: SourceLocation? = nil) {
        self.value = value
        self.location = location
    }

    /// The value of `key` when this is a mapping that has it.
    public subscript(key: String) -> ConfigNode? {
        value[key]
    }

    /// dsari's `dict_merge`: when both sides are mappings they merge key by
    /// key, recursively (the merged mapping takes `other`'s location, the
    /// file that touched it last); anything else in `other` replaces this
    /// node, lists included.
    public func merging(_ other: ConfigNode) -> ConfigNode {
        guard case .mapping(let baseEntries) = value, case .mapping(let overEntries) = other.value else {
            return other
        }
        var entries = baseEntries
        var indexByKey: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            indexByKey[entry.key] = index
        }
        for entry in overEntries {
            if let index = indexByKey[entry.key] {
                // The key keeps its first position, as in a Python dict.
                entries[index].value = entries[index].value.merging(entry.value)
                entries[index].keyKind = entry.keyKind
                entries[index].keyLocation = entry.keyLocation
            } else {
                indexByKey[entry.key] = entries.count
                entries.append(entry)
            }
        }
        return ConfigNode(.mapping(entries), location: other.location ?? location)
    }

    public static func == (lhs: ConfigNode, rhs: ConfigNode) -> Bool {
        lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
    }
}

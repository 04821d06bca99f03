/// A named limit on how many runs of its member jobs may run at once.
public struct ConcurrencyGroup: Sendable, Hashable {
    public var name: String
    /// The most runs that may run at once; at least 1.
    public var max: Int

    public init(name: String, max: Int = 1) {
        self.name = name
        self.max = max
    }
}

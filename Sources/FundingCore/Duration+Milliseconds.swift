extension Duration {
    /// The duration in whole milliseconds, truncated (what latency fields, HTTP timeouts and settings in ms carry).
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

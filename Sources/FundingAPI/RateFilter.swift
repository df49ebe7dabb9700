/// A funding-rate subscription's filters: symbols, dexes and quote (`nil` = any).
public struct RateFilter: Sendable, Hashable {
    public var symbols: Set<String>?
    public var dexes: Set<String>?
    public var quote: String?
    /// Send the design document's per-market `funding_rate_update` messages instead of the service's batched
    /// `snapshot` / `update` frames (chosen by a subscribe message that names `channels`, as the document's does).
    public var documentMessages = false

    public init(symbols: Set<String>? = nil, dexes: Set<String>? = nil, quote: String? = nil,
                documentMessages: Bool = false) {
        self.symbols = symbols
        self.dexes = dexes
        self.quote = quote
        self.documentMessages = documentMessages
    }

    public func matches(_ row: FundingRateRow) -> Bool {
        (symbols?.contains(row.symbol) ?? true) && (dexes?.contains(row.dex) ?? true)
            && (quote == nil || row.quote == quote)
    }

    /// Reads `symbols` (or `symbol`), `dexes` (or `dex`) and `quote`; unknown names are 404-style errors.
    static func parse(_ q: QueryReader, catalog: NameCatalog) async throws -> RateFilter {
        let symbols = try await catalog.symbols(try q.list("symbols") ?? q.list("symbol"))
        let dexes = try await catalog.dexes(try q.list("dexes") ?? q.list("dex"))
        return RateFilter(symbols: symbols.map(Set.init), dexes: dexes.map(Set.init),
                          quote: try q.quote())
    }
}

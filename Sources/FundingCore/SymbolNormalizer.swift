/// The normalised base asset of a venue's market name, with the number of symbol units one contract unit
/// stands for (1000 for `1000PEPEUSDT`).
public struct NormalizedSymbol: Sendable, Hashable {
    public var symbol: String
    public var multiplier: Double
    /// The quote asset found in the venue's name, when there was one (`USDT` in `BTCUSDT`).
    public var quote: String?

    public init(symbol: String, multiplier: Double = 1, quote: String? = nil) {
        self.symbol = symbol
        self.multiplier = multiplier
        self.quote = quote
    }
}

/// One table-driven normaliser for every venue's market names.
///
/// Order of work: a HIP-3 `dex:` prefix is dropped, a contract suffix (`-PERP`, `_UMCBL`, `-SWAP`, ...) and then a
/// quote (`USDT`, `USDC`, `USD`) is taken off the end, a multiplier prefix (`1000`, `1M`, `k`) off the front, and
/// aliases (`XBT` → `BTC`) applied. When the venue names its base asset itself, pass it as `baseAsset`: it wins
/// over parsing the market name, and only its multiplier prefix is read.
public enum SymbolNormalizer {
    /// Contract-type suffixes, longest first so `-USD-PERP` wins over `-PERP`.
    static let suffixes = [
        "-USD-PERP", "-USDT-SWAP", "-USDC-SWAP", "-USD-SWAP", "_USDT_PERP", "_USDC_PERP", "_USD_PERP",
        "/USDT-P", "/USDC-P", "_UMCBL", "_DMCBL", "_CMCBL", "-PERP", "_PERP", "-SWAP", "PERP", "USDTM", "USDM",
    ]
    /// Quote assets recognised at the end of a name, longest first.
    static let quotes = ["FDUSD", "USDT", "USDC", "BUSD", "USDE", "USD"]
    /// Quote implied by a suffix that carries one.
    static let suffixQuotes: [String: String] = [
        "-USD-PERP": "USD", "-USDT-SWAP": "USDT", "-USDC-SWAP": "USDC", "-USD-SWAP": "USD", "_USDT_PERP": "USDT",
        "_USDC_PERP": "USDC", "_USD_PERP": "USD", "/USDT-P": "USDT", "/USDC-P": "USDC", "USDTM": "USDT",
        "USDM": "USD", "PERP": "USDC",
    ]
    /// Numeric multiplier prefixes, longest first. A prefix counts only when letters follow it, so `1INCH`
    /// (one of the digit-leading tokens) stays itself.
    static let numericPrefixes: [(String, Double)] = [
        ("1000000", 1_000_000), ("100000", 100_000), ("10000", 10_000), ("1000", 1_000), ("1M", 1_000_000),
    ]
    /// Tokens that start with a multiplier-looking prefix but are assets in their own right.
    static let digitLeadingTokens: Set<String> = ["1INCH"]
    /// Assets quoted in thousands with an upper-case `K` prefix on some venues (`KPEPE`); lower-case `k`
    /// (`kPEPE`, `kBONK`) is always the thousands prefix.
    static let thousandsAssets: Set<String> = [
        "PEPE", "BONK", "SHIB", "FLOKI", "LUNC", "DOGS", "NEIRO", "SATS", "RATS", "CAT", "XEC", "WHY", "MOG",
        "BTT", "LADYS", "BABYDOGE", "CHEEMS", "X",
    ]
    static let aliases: [String: String] = ["XBT": "BTC"]

    public static func normalize(_ venueSymbol: String, baseAsset: String? = nil) -> NormalizedSymbol {
        var name = venueSymbol
        if let colon = name.lastIndex(of: ":") { name = String(name[name.index(after: colon)...]) }

        var quote: String?
        if let base = baseAsset, !base.isEmpty {
            name = base
        } else {
            let upper = name.uppercased()
            if let suffix = suffixes.first(where: { upper.hasSuffix($0) && upper.count > $0.count }) {
                name = String(name.dropLast(suffix.count))
                quote = suffixQuotes[suffix]
            }
            name = name.trimmingSeparators()
            if let q = quotes.first(where: { name.uppercased().hasSuffix($0) && name.count > $0.count }) {
                name = String(name.dropLast(q.count)).trimmingSeparators()
                quote = q
            }
        }

        var multiplier: Double = 1
        let upper = name.uppercased()
        if !digitLeadingTokens.contains(upper) {
            if let (prefix, m) = numericPrefixes.first(where: { upper.hasPrefix($0.0) }),
               let next = upper.dropFirst(prefix.count).first, next.isLetter {
                name = String(name.dropFirst(prefix.count))
                multiplier = m
            } else if name.first == "k", name.count > 1, name.dropFirst().allSatisfy({ $0.isUppercase || $0.isNumber }) {
                name = String(name.dropFirst())
                multiplier = 1_000
            } else if name.first == "K", thousandsAssets.contains(String(upper.dropFirst())) {
                name = String(name.dropFirst())
                multiplier = 1_000
            }
        }
        var symbol = name.uppercased()
        symbol = aliases[symbol] ?? symbol
        return NormalizedSymbol(symbol: symbol, multiplier: multiplier, quote: quote)
    }
}

extension String {
    fileprivate func trimmingSeparators() -> String {
        var s = Substring(self)
        while let last = s.last, "-_/".contains(last) { s = s.dropLast() }
        return String(s)
    }
}

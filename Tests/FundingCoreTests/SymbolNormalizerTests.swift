import FundingCore
import Testing

/// The symbol quirks listed in `Tests/Fixtures/README.md` (shared fixtures README), one row each.
@Suite("SymbolNormalizer")
struct SymbolNormalizerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var venueSymbol: String
        var baseAsset: String? = nil
        var symbol: String
        var multiplier: Double = 1
        var quote: String? = nil
        var testDescription: String { baseAsset.map { "\(venueSymbol) (base \($0))" } ?? venueSymbol }
    }

    static let cases: [Case] = [
        // multiplier prefixes
        Case(venueSymbol: "1000PEPEUSDT", symbol: "PEPE", multiplier: 1_000, quote: "USDT"),
        Case(venueSymbol: "1000000MOGUSDT", symbol: "MOG", multiplier: 1_000_000, quote: "USDT"),
        Case(venueSymbol: "1MBABYDOGEUSDT", symbol: "BABYDOGE", multiplier: 1_000_000, quote: "USDT"),
        Case(venueSymbol: "10000LADYSUSDT", symbol: "LADYS", multiplier: 10_000, quote: "USDT"),
        Case(venueSymbol: "10000LADYS", symbol: "LADYS", multiplier: 10_000),
        Case(venueSymbol: "1000SATSUSDT", symbol: "SATS", multiplier: 1_000, quote: "USDT"),
        Case(venueSymbol: "kPEPE", symbol: "PEPE", multiplier: 1_000),
        Case(venueSymbol: "KPEPE", symbol: "PEPE", multiplier: 1_000),
        Case(venueSymbol: "kBONK", symbol: "BONK", multiplier: 1_000),
        Case(venueSymbol: "kBONK-USD-PERP", symbol: "BONK", multiplier: 1_000, quote: "USD"),
        Case(venueSymbol: "1000XUSDT", symbol: "X", multiplier: 1_000, quote: "USDT"),
        // digit-leading and K-leading tokens that are not multipliers
        Case(venueSymbol: "1INCHUSDT", symbol: "1INCH", multiplier: 1, quote: "USDT"),
        Case(venueSymbol: "KAVAUSDT", symbol: "KAVA", multiplier: 1, quote: "USDT"),
        Case(venueSymbol: "KSMUSDT", symbol: "KSM", multiplier: 1, quote: "USDT"),
        // aliases and contract suffixes
        Case(venueSymbol: "XBTUSD", symbol: "BTC", quote: "USD"),
        Case(venueSymbol: "XBTUSDTM", symbol: "BTC", quote: "USDT"),
        Case(venueSymbol: "BTC_USDC_PERP", symbol: "BTC", quote: "USDC"),
        Case(venueSymbol: "BTCUSD_PERP", symbol: "BTC", quote: "USD"),
        Case(venueSymbol: "BTC-PERP", symbol: "BTC"),
        Case(venueSymbol: "ETH-USD-PERP", symbol: "ETH", quote: "USD"),
        Case(venueSymbol: "BTCUSDT_UMCBL", symbol: "BTC", quote: "USDT"),
        Case(venueSymbol: "BTC-USDT-SWAP", symbol: "BTC", quote: "USDT"),
        Case(venueSymbol: "BTC/USDT-P", symbol: "BTC", quote: "USDT"),
        Case(venueSymbol: "BTCUSDT", symbol: "BTC", quote: "USDT"),
        // HIP-3 builder dex names
        Case(venueSymbol: "xyz:TSLA", symbol: "TSLA"),
        Case(venueSymbol: "xyz:XYZ100", symbol: "XYZ100"),
        // the venue's own base asset wins over the market name; only its multiplier prefix is read
        Case(venueSymbol: "哈基米USDC", baseAsset: "HAJIMI", symbol: "HAJIMI"),
        Case(venueSymbol: "1000PEPEUSDC", baseAsset: "1000PEPE", symbol: "PEPE", multiplier: 1_000),
        Case(venueSymbol: "30000001", baseAsset: "BTC", symbol: "BTC"),
        Case(venueSymbol: "ETH", baseAsset: "ETH", symbol: "ETH"),
        Case(venueSymbol: "xyz:AAPL", baseAsset: "AAPL", symbol: "AAPL"),
    ]

    @Test(arguments: cases)
    func normalizes(_ c: Case) {
        let n = SymbolNormalizer.normalize(c.venueSymbol, baseAsset: c.baseAsset)
        #expect(n.symbol == c.symbol)
        #expect(n.multiplier == c.multiplier)
        #expect(n.quote == c.quote)
    }
}

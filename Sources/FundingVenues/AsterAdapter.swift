import Foundation
import FundingCore

/// Aster perpetuals (`aster`, `https://fapi.asterdex.com`), a Binance USDⓈ-M-compatible API: the mapping is
/// `BinanceAdapter.parse`'s.
///
/// Endpoints and unit facts (asterdex/api-docs "Mark Price" / "Get Funding Rate Config" / "24hr Ticker" /
/// "Symbol Order Book Ticker", `Tests/Fixtures/aster/SOURCE.md`; the `/fapi/v1` paths, which answer like the
/// current `/fapi/v3` ones):
/// - `GET /fapi/v1/premiumIndex` (all symbols): `lastFundingRate` a **fraction per the symbol's interval**, the
///   rate charged at `nextFundingTime` (ms); `markPrice`, `indexPrice` in the quote asset per contract unit.
/// - `GET /fapi/v1/fundingInfo`: `fundingIntervalHours` (8, 4, 2, 1 seen); symbols it does not list settle
///   every 8 h.
/// - `GET /fapi/v1/ticker/24hr` (all symbols): `quoteVolume` (USDT/USD) → `volume24hUSD`.
/// - `GET /fapi/v1/ticker/bookTicker` (all symbols): best `bidPrice` / `askPrice`.
/// - Open interest: Aster's docs document no open-interest endpoint, so `openInterestBase`/`USD` stay nil.
/// Excluded as in `BinanceAdapter`: delivery contracts, non-USD quotes. A failed premiumIndex or fundingInfo
/// fails the venue; a failed ticker or book keeps the rows, degraded.
public struct AsterAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "aster", displayName: "Aster", kind: .dex,
        defaultBaseURL: "https://fapi.asterdex.com", defaultFundingIntervalHours: 8)

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        try await BinanceAdapter.fetchBulk(client: client, baseURL: baseURL, now: now, dex: Self.descriptor.name)
    }
}

/// `GET /fapi/v1/fundingRate?symbol=&startTime=&endTime=&limit=` (asterdex/api-docs, and ccxt's
/// `fetchFundingRateHistory` recording): Binance's format and paging (oldest first, `limit` default 100, at most
/// 1000; `fundingRate` a fraction per interval, `fundingTime` ms).
extension AsterAdapter: FundingHistorySource {
    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        try await BinanceAdapter.binanceStyleHistory(request, path: "/fapi/v1/fundingRate", client: client,
                                                     baseURL: baseURL, descriptor: Self.descriptor)
    }
}

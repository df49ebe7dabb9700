import Foundation
import FundingCore

/// BitMEX perpetual swaps (`bitmex`, `https://www.bitmex.com`).
///
/// Endpoint: `GET /api/v1/instrument/active`, every live instrument in one answer (one request per cycle;
/// BitMEX allows 30 unauthenticated requests per minute). Perpetuals are the rows whose `typ` is `FFWCSX`
/// (BitMEX's CFI code for perpetual swaps); others (dated futures `FFCCSX`, spot, indices) are excluded as
/// `not_perpetual`, rows whose `state` is not `Open` as `inactive`, perpetuals quoted in a coin (`XBTETH`) as
/// `non_usd_quote` (their prices and volume are not USD).
///
/// Unit facts (BitMEX REST API explorer, `Instrument` model, swagger in BitMEX/api-connectors; fixture
/// `SOURCE.md`; checked against the recorded rows):
/// - `fundingRate`: fraction for the interval ending at `fundingTimestamp` (ISO-8601, the next settlement);
///   `indicativeFundingRate`: the predicted rate of the following interval → `predictedRate`.
/// - `fundingInterval` is a **datetime offset from 2000-01-01T00:00Z**: `"2000-01-01T08:00:00.000Z"` = 8 h.
/// - `openValue` is in the **settlement currency's minor unit**: `XBt` satoshi (10⁻⁸ BTC) or `USDt` micro-USDT
///   (10⁻⁶). Inverse (`isInverse`, settled in the base coin, `XBTUSD`): base = openValue / 10⁸ BTC, USD = base ×
///   `markPrice` (recorded XBTUSD: 461,319,177,384 sat = 4,613.19 BTC ≈ `openInterest` 286,362,900 USD / mark).
///   Linear (settled in the quote coin, `JTOUSDT`): USD = openValue / 10⁶, base = USD / mark. Quanto
///   contracts (`isQuanto`, settled in a third coin) keep open interest and volume nil: their value per
///   contract is not a plain conversion.
/// - `foreignNotional24h`: 24 h volume in the quote currency (USD, USDT or USDC) → `volume24hUSD`
///   (`homeNotional24h` is base; `volume24h` is contracts, `turnover24h` settlement minor units).
/// - `markPrice`; `indicativeSettlePrice` is the reference index (`referenceSymbol`, `.BXBT`) → `indexPrice`;
///   `bidPrice` / `askPrice` the top of book.
/// - `XBT` means BTC (`rootSymbol`); `quoteCurrency` is the quote.
public struct BitMEXAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "bitmex", displayName: "BitMEX", kind: .cex,
        defaultBaseURL: "https://www.bitmex.com", defaultFundingIntervalHours: 8)

    static let dex = "bitmex"

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        try Self.parse(try await client.get("/api/v1/instrument/active", baseURL: baseURL), now: now)
    }

    // MARK: - Parsing (pure)

    struct Instrument: Decodable {
        var symbol: String
        var rootSymbol: String?
        var state: String?
        var typ: String?
        var quoteCurrency: String?
        var settlCurrency: String?
        var isQuanto: Bool?
        var isInverse: Bool?
        var fundingTimestamp: String?
        var fundingInterval: String?
        var fundingRate: LenientDouble?
        var indicativeFundingRate: LenientDouble?
        var foreignNotional24h: LenientDouble?
        var bidPrice: LenientDouble?
        var askPrice: LenientDouble?
        var openValue: LenientDouble?
        var markPrice: LenientDouble?
        var indicativeSettlePrice: LenientDouble?
    }

    /// Settlement-currency minor units per whole coin.
    static let minorUnits: [String: Double] = ["XBt": 100_000_000, "USDt": 1_000_000]
    static let dollarQuotes: Set<String> = ["USD", "USDT", "USDC"]
    static let epoch2000 = Date(timeIntervalSince1970: 946_684_800)

    /// Snapshots from one `instrument/active` answer (an array; a single row is read as a list of one).
    public static func parse(_ data: some DataProtocol, now: Date) throws -> VenueFetchResult {
        let endpoint = "/api/v1/instrument/active"
        let rows = try decodePayload(OneOrMany<Instrument>.self, from: data, dex: dex, endpoint: endpoint).rows
        var result = VenueFetchResult()
        for r in rows {
            guard r.typ?.hasPrefix("FFWCS") == true else { result.exclude(.notPerpetual); continue }
            guard r.state == "Open" else { result.exclude(.inactive); continue }
            guard let quote = r.quoteCurrency else { result.drop(.unknownQuote); continue }
            guard dollarQuotes.contains(quote) else { result.exclude(.nonUSDQuote); continue }
            guard let rate = r.fundingRate.number else { result.drop(.missingFundingRate); continue }
            guard let interval = VenueTime.iso8601(r.fundingInterval), interval > epoch2000 else {
                result.drop(.missingFundingInterval); continue
            }
            let name = SymbolNormalizer.normalize(r.symbol, baseAsset: r.rootSymbol)
            let mark = r.markPrice.number
            // openValue in whole settlement coins; quanto contracts (a third currency) keep it nil
            let settled = r.isQuanto == true ? nil
                : r.openValue.number.times(r.settlCurrency.flatMap { minorUnits[$0] }.map { 1 / $0 })
            let inverse = r.isInverse == true
            let oiBase = inverse ? settled : settled.times(mark.flatMap { $0 > 0 ? 1 / $0 : nil })
            let oiUSD = inverse ? settled.times(mark) : settled
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: r.symbol, symbol: name.symbol, quote: quote,
                margin: inverse ? .inverse : .linear, multiplier: name.multiplier, time: now,
                fundingRate: rate, fundingIntervalHours: interval.timeIntervalSince(epoch2000) / 3600,
                predictedRate: r.indicativeFundingRate.number, nextFundingTime: VenueTime.iso8601(r.fundingTimestamp),
                markPrice: mark, indexPrice: r.indicativeSettlePrice.number, openInterestBase: oiBase,
                openInterestUSD: oiUSD, volume24hUSD: r.isQuanto == true ? nil : r.foreignNotional24h.number,
                bestBid: r.bidPrice.number, bestAsk: r.askPrice.number))
        }
        return result
    }
}

// MARK: - Settled funding history

/// `GET /api/v1/funding?symbol=&startTime=&endTime=&count=&reverse=false` (swagger `Funding.get` in
/// BitMEX/api-connectors): rows `{timestamp, symbol, fundingInterval, fundingRate, fundingRateDaily}`, oldest first
/// with `reverse=false`, times ISO-8601. `timestamp` is the funding time (04:00, 12:00 and 20:00 UTC for the 8 h
/// perpetuals), `fundingRate` the fraction charged for the interval ending then, `fundingInterval` the same offset
/// from 2000-01-01 as on instruments (`fundingRateDaily` = rate × settlements a day, not stored). `count` defaults to
/// 100; its maximum is not documented in the swagger, so pages ask for 500, BitMEX's usual maximum (unverified here:
/// ccxt leaves `count` to the caller). Walked forward from `startTime`; a short page ends the range.
///
/// BitMEX settles at 04:00, 12:00 and 20:00 UTC, not on multiples of 8 h since 1970, so the backfill follows a 4 h
/// schedule (`settlementIntervalHours`), whose multiples include those times: one request in two finds nothing new.
extension BitMEXAdapter: FundingHistorySource {
    static let historyPageSize = 500

    public static var settlementIntervalHours: Double? { 4 }

    struct FundingRow: Decodable {
        var timestamp: String?
        var fundingInterval: String?
        var fundingRate: LenientDouble?
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let limit = min(request.limit ?? Self.historyPageSize, Self.historyPageSize)
        let start = HistoryPaging.isoMilliseconds(HistoryPaging.milliseconds(request.start))
        let end = HistoryPaging.isoMilliseconds(HistoryPaging.milliseconds(request.end) - 1)
        let path = "/api/v1/funding?symbol=\(request.dexSymbol)&startTime=\(start)&endTime=\(end)&count=\(limit)"
            + "&reverse=false"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request,
                                            pageSize: limit)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest, pageSize: Int) throws
        -> FundingHistoryPage
    {
        let endpoint = "/api/v1/funding"
        let rows = try decodePayload([FundingRow].self, from: data, dex: dex, endpoint: endpoint).map { row in
            let interval = VenueTime.iso8601(row.fundingInterval).map { $0.timeIntervalSince(epoch2000) / 3600 }
            return try SettlementRow.required(time: VenueTime.iso8601(row.timestamp), rate: row.fundingRate.number,
                                              intervalHours: interval.flatMap { $0 > 0 ? $0 : nil },
                                              dex: dex, endpoint: endpoint, fields: "timestamp or fundingRate")
        }
        return HistoryPaging.page(rows, request: request, pageSize: pageSize, direction: .forward,
                                  defaultInterval: descriptor.defaultFundingIntervalHours)
    }
}

import Foundation
import FundingCore

/// Hibachi perpetuals (`hibachi`, public market data on `https://data-api.hibachi.xyz`), two requests per cycle.
///
/// Endpoints and unit facts (`Tests/Fixtures/hibachi/SOURCE.md`: recordings of 2026-09-13, the SDK's example,
/// Hibachi docs "Funding"):
/// - `GET /market/inventory` (every market: `contract` spec + live `info`): `info.estimatedFundingRate` is a
///   **fraction per funding interval**, the estimate for the next settlement (the last estimate before the hour
///   equalled the settled rate in third-party live checks) → `fundingRate`. `markPrice`; `spotPrice` → index price;
///   `bestBidPrice` / `bestAskPrice`; `openInterestQuantity` in **base units** (BTC 9.11 × 76,764 ≈ 0.7 M USD) →
///   USD = × mark; `volume24h` USDT **notional** (a third party summed 24 hourly klines to within 1 %) →
///   `volume24hUSD`. Quote = `contract.settlementSymbol` (USDT); base = `contract.underlyingSymbol`.
///   `contract.status` other than `LIVE` is excluded (`CLOSED`, its `info` numbers all null: `delisted`; any other
///   state: `inactive`). A failed inventory fails the venue.
/// - **No field states the funding interval** (nor the next funding time). The docs say 8 h (00/08/16 UTC, a
///   stored copy of unknown date) but 2026 settlements are 3,600 s apart. So the interval is derived venue-wide
///   from the smallest spacing between consecutive settlements of BTC/USDT-P in `GET /market/data/funding-rates` (epoch
///   **seconds**, oldest first, the last two days asked for), and the next funding time is the newest settlement
///   plus whole intervals, first one after `now`. Doubt: every market is assumed to share BTC's interval (one
///   missed settlement in the window does not widen it; every other one missed would). Without that answer (failed, unreadable, under two rows) no
///   interval is guessed: the venue's live markets are lost with the failed request, or dropped as
///   `missing_funding_interval`.
public struct HibachiAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "hibachi", displayName: "Hibachi", kind: .dex,
        defaultBaseURL: "https://data-api.hibachi.xyz", defaultFundingIntervalHours: 1)

    static let dex = "hibachi"
    /// The market whose settlement spacing gives the venue's interval, and how far back to ask (seconds).
    static let intervalMarket = "BTC/USDT-P"
    static let historyWindow: TimeInterval = 2 * 86_400

    public init() {}

    static func historyPath(now: Date) -> String {
        let end = Int(now.timeIntervalSince1970)
        return "/market/data/funding-rates?symbol=BTC%2FUSDT-P&startTime=\(end - Int(historyWindow))&endTime=\(end)&limit=100"
    }

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        async let inventory = client.get("/market/inventory", baseURL: baseURL)
        async let history = client.attempt(Self.historyPath(now: now), baseURL: baseURL)
        let inventoryBody = try await inventory
        var result: VenueFetchResult
        switch await history {
        case .success(let body):
            result = try Self.parse(inventory: inventoryBody, fundingHistory: body, now: now)
        case .failure(let error):
            result = try Self.parse(inventory: inventoryBody, fundingHistory: [UInt8]?.none, now: now)
            result.fail("GET /market/data/funding-rates?symbol=\(Self.intervalMarket)", error,
                        marketsLost: result.dropped.removeValue(forKey: .missingFundingInterval) ?? 0)
        }
        result.stampLatency(since: start)
        return result
    }

    struct Inventory: Decodable {
        var markets: [Market]
    }

    struct Market: Decodable {
        var contract: Contract
        var info: Info?
    }

    struct Contract: Decodable {
        var symbol: String
        var status: String?
        var underlyingSymbol: String?
        var settlementSymbol: String?
    }

    struct Info: Decodable {
        var estimatedFundingRate: LenientDouble?
        var markPrice: LenientDouble?
        var spotPrice: LenientDouble?
        var openInterestQuantity: LenientDouble?
        var volume24h: LenientDouble?
        var bestBidPrice: LenientDouble?
        var bestAskPrice: LenientDouble?
    }

    struct History: Decodable {
        struct Row: Decodable {
            var fundingTimestamp: LenientDouble?
            var fundingRate: LenientDouble?
        }
        var data: [Row]
    }

    /// The funding interval and the newest settlement time from one market's settlements (any order), or nil
    /// with under two distinct settlement times. The interval is the smallest spacing between consecutive
    /// settlements, so one missed settlement in the window does not double it.
    static func interval(_ history: some DataProtocol) throws -> (hours: Double, newest: Date)? {
        let rows = try decodePayload(History.self, from: history, dex: dex, endpoint: "/market/data/funding-rates").data
        let times = Set(rows.compactMap { $0.fundingTimestamp.date(.seconds) }).sorted()
        guard let newest = times.last,
              let seconds = zip(times, times.dropFirst()).map({ $1.timeIntervalSince($0) }).min()
        else { return nil }
        return (seconds / 3600, newest)
    }

    /// Snapshots of every live market, symbol order. `fundingHistory` nil: not answered, so every live market is
    /// dropped as `missing_funding_interval` (`fetch` turns them into markets lost with the failed request).
    public static func parse(inventory: some DataProtocol, fundingHistory: (some DataProtocol)?, now: Date) throws
        -> VenueFetchResult
    {
        let markets = try decodePayload(Inventory.self, from: inventory, dex: dex, endpoint: "/market/inventory").markets
        var result = VenueFetchResult()
        var cadence: (hours: Double, newest: Date)?
        if let fundingHistory {
            do { cadence = try interval(fundingHistory) } catch {
                result.fail("GET /market/data/funding-rates?symbol=\(intervalMarket)", error)
            }
        }
        for market in markets.sorted(by: { $0.contract.symbol < $1.contract.symbol }) {
            let contract = market.contract
            switch contract.status?.uppercased() {
            case "LIVE": break
            case "CLOSED": result.exclude(.delisted); continue
            default: result.exclude(.inactive); continue
            }
            guard let info = market.info, let rate = info.estimatedFundingRate.number else {
                result.drop(.missingFundingRate); continue
            }
            guard let cadence, cadence.hours > 0 else { result.drop(.missingFundingInterval); continue }
            let name = SymbolNormalizer.normalize(contract.symbol, baseAsset: contract.underlyingSymbol)
            let mark = info.markPrice.number
            let step = cadence.hours * 3600
            let next = cadence.newest.addingTimeInterval(
                (floor(now.timeIntervalSince(cadence.newest) / step) + 1) * step)
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: contract.symbol, symbol: name.symbol,
                quote: contract.settlementSymbol ?? name.quote ?? "USDT", multiplier: name.multiplier, time: now,
                fundingRate: rate, fundingIntervalHours: cadence.hours, nextFundingTime: next, markPrice: mark,
                indexPrice: info.spotPrice.number, openInterestBase: info.openInterestQuantity.number,
                openInterestUSD: info.openInterestQuantity.number.times(mark), volume24hUSD: info.volume24h.number,
                bestBid: info.bestBidPrice.number, bestAsk: info.bestAskPrice.number))
        }
        return result
    }
}

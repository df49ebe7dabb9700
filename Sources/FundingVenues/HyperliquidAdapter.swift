import Foundation
import FundingCore

/// Hyperliquid perpetuals, the core dex and every HIP-3 builder dex.
///
/// Endpoints (all `POST /info` on `https://api.hyperliquid.xyz` with a JSON body):
/// - `{"type":"perpDexs"}`: the dex list; element 0 is `null` (the core dex), then one object per HIP-3 builder
///   dex with its `name` (`xyz`, `flx`, ...).
/// - `{"type":"metaAndAssetCtxs","dex":""}` for the core dex and `{"type":"metaAndAssetCtxs","dex":"<name>"}` per
///   builder dex: `[meta, ctxs]` where `ctxs[i]` belongs to `meta.universe[i]`. `"dex":""` is the documented
///   name of the first (core) perp dex, the same as leaving `dex` out; the official SDK sends it that way.
///   Builder dexes are fetched with at most 4 requests in flight; a builder dex whose request fails is counted
///   once as skipped `builder_dex_unavailable` and the others are kept. A failing core request fails the venue.
///
/// Unit facts relied on (Hyperliquid docs "Info endpoint / Perpetuals", fixture `SOURCE.md`):
/// - `ctx.funding` is a fraction **per 1 hour** (the running estimate for the current hour, paid at the next top of
///   the hour); funding settles hourly since 2023-06-08, so `fundingIntervalHours` = 1 and `nextFundingTime` is
///   the next top of the hour after `now` (the REST context carries no funding time). HIP-3 values already include
///   the dex's `assetToFundingMultiplier` from `perpDexs`, so it is not applied again. No separate predicted rate
///   is stored: `predictedFundings`' `HlPerp` rate is this same running estimate.
/// - `markPx` and `oraclePx` (taken as the index price) are USD per contract unit; `kPEPE`-style names are
///   1000 units of the token per contract (multiplier 1000, prices per 1000 tokens).
/// - `openInterest` is in base (contract) units, so `openInterestUSD` = `openInterest × markPx`.
/// - `dayNtlVlm` is the 24h notional volume in USD, used as is (`dayBaseVlm` would need a price).
/// - No best bid/ask: `impactPxs` are impact prices for a notional, not the top of book, and an exact BBO needs one
///   `l2Book` request per coin, so `bestBid`/`bestAsk` stay nil.
/// - Quote: core perps are USDC-margined. A builder dex names its collateral by spot token index
///   (`collateralToken`); 0 is USDC. Other indexes are written as `token#<index>` rather than guessed (the name
///   would need `spotMeta`).
/// - Assets with `isDelisted: true` are skipped as `delisted`; a context without `funding` is skipped as
///   `missing_funding_rate`. The REST answer has no timestamp, so rows carry `now`.
public struct HyperliquidAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "hyperliquid", displayName: "Hyperliquid", kind: .dex,
        defaultBaseURL: "https://api.hyperliquid.xyz", defaultFundingIntervalHours: 1
    )

    /// Requests in flight at once for the builder dexes.
    public var maxInFlight: Int

    public init(maxInFlight: Int = 4) {
        self.maxInFlight = maxInFlight
    }

    static let dex = "hyperliquid"
    static let infoPath = "/info"

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        var result = VenueFetchResult()

        // The builder dex list; without it the core dex alone is still worth collecting.
        var builderDexes: [String] = []
        do {
            let body = try await client.post(Self.infoPath, json: Self.body(["type": "perpDexs"]), baseURL: baseURL)
            builderDexes = try Self.parsePerpDexs(Data(body))
        } catch {
            result.fail("info perpDexs", error)
        }

        let core = try await client.post(
            Self.infoPath, json: Self.body(["type": "metaAndAssetCtxs", "dex": ""]), baseURL: baseURL)
        result.merge(try Self.parseMetaAndAssetCtxs(Data(core), now: now))

        let builders = await PerMarketRequests.gather(builderDexes, limit: maxInFlight) { dex in
            let body = try await client.post(
                Self.infoPath, json: Self.body(["type": "metaAndAssetCtxs", "dex": dex]), baseURL: baseURL)
            return try Self.parseMetaAndAssetCtxs(Data(body), now: now)
        }
        for part in builders.values { result.merge(part.value) }
        for failure in builders.failures { result.fail("info metaAndAssetCtxs dex=\(failure.key)", failure.error) }
        result.stampLatency(since: start)
        return result
    }

    static func body(_ fields: [String: String]) -> [UInt8] {
        // Sorted keys keep the request bytes stable; `JSONEncoder` of a string dictionary cannot fail.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array((try? encoder.encode(fields)) ?? Data())
    }

    // MARK: - Parsing

    /// The HIP-3 builder dex names from a `perpDexs` answer (the leading `null` is the core dex).
    public static func parsePerpDexs(_ data: Data) throws -> [String] {
        struct PerpDex: Decodable { var name: String }
        let dexes = try decodePayload([PerpDex?].self, from: data, dex: dex, endpoint: "info perpDexs")
        return dexes.compactMap { $0?.name }.filter { !$0.isEmpty }
    }

    /// Snapshots from one `metaAndAssetCtxs` answer (core or builder dex).
    public static func parseMetaAndAssetCtxs(_ data: Data, now: Date) throws -> VenueFetchResult {
        let payload = try decodePayload(MetaAndAssetCtxs.self, from: data, dex: dex, endpoint: "info metaAndAssetCtxs")
        let universe = payload.meta.universe
        guard universe.count == payload.contexts.count else {
            throw VenuePayloadError(
                dex: dex, endpoint: "info metaAndAssetCtxs",
                reason: "universe has \(universe.count) assets but \(payload.contexts.count) contexts")
        }
        let quote = payload.meta.collateralToken.map { $0 == 0 ? "USDC" : "token#\($0)" } ?? "USDC"
        let nextFunding = VenueTime.nextTopOfHour(after: now)

        var result = VenueFetchResult()
        for (asset, ctx) in zip(universe, payload.contexts) {
            if asset.isDelisted == true {
                result.exclude(.delisted)
                continue
            }
            guard let funding = ctx.funding.number else {
                result.drop(.missingFundingRate)
                continue
            }
            // `xyz:TSLA` → base `TSLA`; `kPEPE` → PEPE × 1000.
            let base = asset.name.split(separator: ":").last.map(String.init) ?? asset.name
            let normalized = SymbolNormalizer.normalize(asset.name, baseAsset: base)
            let mark = ctx.markPx.number
            let openInterest = ctx.openInterest.number
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: asset.name, symbol: normalized.symbol, quote: quote, margin: .linear,
                multiplier: normalized.multiplier, time: now,
                fundingRate: funding, fundingIntervalHours: 1,
                nextFundingTime: nextFunding,
                markPrice: mark, indexPrice: ctx.oraclePx.number,
                openInterestBase: openInterest,
                openInterestUSD: openInterest.times(mark),
                volume24hUSD: ctx.dayNtlVlm.number
            ))
        }
        return result
    }

    struct Asset: Decodable {
        var name: String
        var isDelisted: Bool?
    }

    struct Meta: Decodable {
        var universe: [Asset]
        var collateralToken: Int?
    }

    struct Context: Decodable {
        var funding: LenientDouble?
        var markPx: LenientDouble?
        var oraclePx: LenientDouble?
        var openInterest: LenientDouble?
        var dayNtlVlm: LenientDouble?
    }

    /// `[meta, [ctx, ...]]`.
    struct MetaAndAssetCtxs: Decodable {
        var meta: Meta
        var contexts: [Context]

        init(from decoder: Decoder) throws {
            var container = try decoder.unkeyedContainer()
            meta = try container.decode(Meta.self)
            contexts = try container.decode([Context].self)
        }
    }
}

// MARK: - Settled funding history

/// `POST /info {"type":"fundingHistory","coin":,"startTime":,"endTime":}` (Hyperliquid info endpoint docs):
/// oldest first from `startTime` (ms, inclusive), at most 500 rows per answer, so pages go forward from the newest
/// row + 1 ms. `fundingRate` a **fraction for the interval ending at `time`** (hourly since 2023-06-08, 8-hourly
/// before: the interval is the time since the previous settlement), `time` epoch ms a few ms after the hour,
/// `premium` not stored. No price on the rows.
extension HyperliquidAdapter: FundingHistorySource {
    static let historyPageSize = 500

    struct FundingHistoryBody: Encodable {
        var type = "fundingHistory"
        var coin: String
        var startTime: Int64
        var endTime: Int64
    }

    struct FundingHistoryRow: Decodable {
        var fundingRate: LenientDouble?
        var time: LenientDouble?
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = try encoder.encode(FundingHistoryBody(
            coin: request.dexSymbol, startTime: HistoryPaging.milliseconds(request.start),
            endTime: HistoryPaging.milliseconds(request.end) - 1))
        let answer = try await client.post("/info", json: Array(body), baseURL: baseURL)
        return try Self.parseFundingHistory(answer, request: request)
    }

    /// The page size is the venue's fixed 500: the request cannot ask for fewer.
    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest) throws
        -> FundingHistoryPage
    {
        let endpoint = "info fundingHistory"
        let rows = try decodePayload([FundingHistoryRow].self, from: data, dex: dex, endpoint: endpoint).map { row in
            try SettlementRow.required(time: row.time.date(.milliseconds), rate: row.fundingRate.number,
                                        dex: dex, endpoint: endpoint, fields: "fundingRate or time")
        }
        return HistoryPaging.page(rows, request: request, pageSize: historyPageSize, direction: .forward,
                                  defaultInterval: descriptor.defaultFundingIntervalHours)
    }
}

import Foundation
import PostgresNIO

/// Typed rows of the operations reads (dexes, their health and runs, data coverage), decoded by column name.

/// A fee tier as `dexes.fee_tiers` stores it: from `min_volume_30d` (USD traded over 30 days) on, these fees
/// (fractions per fill, 0.0002 = 2 bps).
public struct FeeTier: Codable, Sendable, Equatable {
    public var minVolume30d: Double
    public var makerFee: Double
    public var takerFee: Double

    enum CodingKeys: String, CodingKey {
        case minVolume30d = "min_volume_30d"
        case makerFee = "maker_fee"
        case takerFee = "taker_fee"
    }

    /// The tiers of a `jsonb` cell (NULL: none stored).
    static func decode(_ cell: PostgresCell) throws -> [FeeTier]? {
        guard let text = try cell.decode(String?.self) else { return nil }
        return try JSONDecoder().decode([FeeTier].self, from: Data(text.utf8))
    }
}

/// A `dex_health` row: one active dex's configuration and collection state.
public struct DexHealthRow: Sendable, Equatable {
    public var dex: String
    public var displayName: String?
    public var kind: String?
    public var makerFee: Double?
    public var takerFee: Double?
    public var feeTiers: [FeeTier]?
    public var fundingIntervalHours: Double?
    public var collectionIntervalSeconds: Int?
    public var markets: Int?
    public var newestData: Date?
    public var dataAgeSeconds: Double?
    public var lastSuccessfulFetch: Date?
    public var lastErrorAt: Date?
    public var lastError: String?
    public var consecutiveErrors: Int?
    public var lastRunAt: Date?
    public var lastRunStatus: String?
    /// healthy, stale or unhealthy (the view's rule).
    public var status: String?

    init(_ row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        dex = try r["dex"].decode(String.self)
        displayName = try r["display_name"].decode(String?.self)
        kind = try r["kind"].decode(String?.self)
        makerFee = try r["maker_fee"].decode(Double?.self)
        takerFee = try r["taker_fee"].decode(Double?.self)
        feeTiers = try FeeTier.decode(r["fee_tiers"])
        fundingIntervalHours = try r["funding_interval_hours"].decode(Double?.self)
        collectionIntervalSeconds = try r["collection_interval_seconds"].decode(Int?.self)
        markets = try r["markets"].decode(Int?.self)
        newestData = try r["newest_data"].decode(Date?.self)
        dataAgeSeconds = try r["data_age_seconds"].decode(Double?.self)
        lastSuccessfulFetch = try r["last_successful_fetch"].decode(Date?.self)
        lastErrorAt = try r["last_error_at"].decode(Date?.self)
        lastError = try r["last_error"].decode(String?.self)
        consecutiveErrors = try r["consecutive_errors"].decode(Int?.self)
        lastRunAt = try r["last_run_at"].decode(Date?.self)
        lastRunStatus = try r["last_run_status"].decode(String?.self)
        status = try r["status"].decode(String?.self)
    }
}

/// A `dex_collection_stats` row: one dex's collection runs over the last 24 hours.
public struct DexCollectionStatsRow: Sendable, Equatable {
    public var dex: String
    public var runs24h: Int?
    public var errorRatePercent: Double?
    public var avgCollectionLatencyMs: Double?

    init(_ row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        dex = try r["dex"].decode(String.self)
        runs24h = try r["runs_24h"].decode(Int?.self)
        errorRatePercent = try r["error_rate_percent"].decode(Double?.self)
        avgCollectionLatencyMs = try r["avg_collection_latency_ms"].decode(Double?.self)
    }
}

/// A `dex_markets` row: one active market of a dex, encoded as `/dexes/{dex}/symbols` lists it (every column,
/// null when unknown).
public struct DexMarketRow: Encodable, Sendable {
    public var symbol: String
    public var dexSymbol: String
    @NullWhenAbsent public var quote: String?
    @NullWhenAbsent public var margin: String?
    @NullWhenAbsent public var multiplier: Double?
    @NullWhenAbsent public var fundingIntervalHours: Double?
    @NullWhenAbsent public var fundingRate: Double?
    @NullWhenAbsent public var openInterestUSD: Double?
    @NullWhenAbsent public var volume24hUSD: Double?
    @NullWhenAbsent public var lastUpdate: Date?

    enum CodingKeys: String, CodingKey {
        case symbol, quote, margin, multiplier
        case dexSymbol = "dex_symbol"
        case fundingIntervalHours = "funding_interval_hours"
        case fundingRate = "funding_rate"
        case openInterestUSD = "open_interest_usd"
        case volume24hUSD = "volume_24h_usd"
        case lastUpdate = "last_update"
    }

    init(_ row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        symbol = try r["symbol"].decode(String.self)
        dexSymbol = try r["dex_symbol"].decode(String.self)
        quote = try r["quote"].decode(String?.self)
        margin = try r["margin"].decode(String?.self)
        multiplier = try r["multiplier"].decode(Double?.self)
        fundingIntervalHours = try r["funding_interval_hours"].decode(Double?.self)
        fundingRate = try r["funding_rate"].decode(Double?.self)
        openInterestUSD = try r["open_interest_usd"].decode(Double?.self)
        volume24hUSD = try r["volume_24h_usd"].decode(Double?.self)
        lastUpdate = try r["last_update"].decode(Date?.self)
    }
}

/// What `set_dex_fees()` stored.
public struct DexFeesRow: Sendable, Equatable {
    public var dex: String
    public var makerFee: Double
    public var takerFee: Double
    public var feeTiers: [FeeTier]?
    public var updatedAt: Date?

    init(_ row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        dex = try r["dex"].decode(String.self)
        makerFee = try r["maker_fee"].decode(Double.self)
        takerFee = try r["taker_fee"].decode(Double.self)
        feeTiers = try FeeTier.decode(r["fee_tiers"])
        updatedAt = try r["updated_at"].decode(Date?.self)
    }
}

/// How much of the data is current (`/api/status`'s `data_quality`): active markets, those sampled in the last
/// 5 minutes, those streaming prices in the last minute, those with trade flow in the last hour.
public struct DataCoverage: Encodable, Sendable, Equatable {
    public var marketsActive: Int
    public var marketsFresh5m: Int
    public var marketsStreaming1m: Int
    public var marketsWithTradeFlow1h: Int

    enum CodingKeys: String, CodingKey {
        case marketsActive = "markets_active"
        case marketsFresh5m = "markets_fresh_5m"
        case marketsStreaming1m = "markets_streaming_1m"
        case marketsWithTradeFlow1h = "markets_with_trade_flow_1h"
    }

    init(marketsActive: Int, marketsFresh5m: Int, marketsStreaming1m: Int, marketsWithTradeFlow1h: Int) {
        self.marketsActive = marketsActive
        self.marketsFresh5m = marketsFresh5m
        self.marketsStreaming1m = marketsStreaming1m
        self.marketsWithTradeFlow1h = marketsWithTradeFlow1h
    }

    init(_ row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        marketsActive = try r["markets_active"].decode(Int.self)
        marketsFresh5m = try r["markets_fresh_5m"].decode(Int.self)
        marketsStreaming1m = try r["markets_streaming_1m"].decode(Int.self)
        marketsWithTradeFlow1h = try r["markets_with_trade_flow_1h"].decode(Int.self)
    }
}

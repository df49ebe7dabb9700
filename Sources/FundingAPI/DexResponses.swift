import Foundation
import Hummingbird

/// A dex as `/api/v1/dexes` and `/dexes/{dex}` answer: the design document's `DEX` (`name`, `display_name`,
/// `is_active`, `fee_structure`, `supported_symbols`, `last_successful_fetch`, `consecutive_errors`), then the
/// service's fees, collection settings and health.
struct DexResponse: ResponseEncodable, Sendable {
    /// The design document's `DEXFeeStructure`. `_percent` is its name; the values are fractions (0.0002 = 2 bps),
    /// as everywhere in this API (docs/api.md).
    struct FeeStructure: Encodable, Sendable {
        @NullWhenAbsent var makerFeePercent: Double?
        @NullWhenAbsent var takerFeePercent: Double?
        var hasFeeTiers: Bool
        @NullWhenAbsent var feeTiers: [FeeTier]?

        enum CodingKeys: String, CodingKey {
            case makerFeePercent = "maker_fee_percent"
            case takerFeePercent = "taker_fee_percent"
            case hasFeeTiers = "has_fee_tiers"
            case feeTiers = "fee_tiers"
        }
    }

    var name: String
    @NullWhenAbsent var displayName: String?
    @NullWhenAbsent var kind: String?
    @NullWhenAbsent var makerFee: Double?
    @NullWhenAbsent var takerFee: Double?
    @NullWhenAbsent var feeTiers: [FeeTier]?
    @NullWhenAbsent var fundingIntervalHours: Double?
    @NullWhenAbsent var collectionIntervalSeconds: Int?
    @NullWhenAbsent var markets: Int?
    /// `dex_health` lists active dexes only.
    var isActive = true
    var feeStructure: FeeStructure
    var supportedSymbols: [String]
    @NullWhenAbsent var lastSuccessfulFetch: Date?
    @NullWhenAbsent var consecutiveErrors: Int?
    /// The collection state behind `status` (as `/health`'s `dexes` shows it).
    var health: HealthResponse.DexStatus

    enum CodingKeys: String, CodingKey {
        case name, kind, markets, health
        case displayName = "display_name"
        case makerFee = "maker_fee"
        case takerFee = "taker_fee"
        case feeTiers = "fee_tiers"
        case fundingIntervalHours = "funding_interval_hours"
        case collectionIntervalSeconds = "collection_interval_seconds"
        case isActive = "is_active"
        case feeStructure = "fee_structure"
        case supportedSymbols = "supported_symbols"
        case lastSuccessfulFetch = "last_successful_fetch"
        case consecutiveErrors = "consecutive_errors"
    }

    init(_ row: DexHealthRow, symbols: [String]) {
        name = row.dex
        displayName = row.displayName
        kind = row.kind
        makerFee = row.makerFee
        takerFee = row.takerFee
        feeTiers = row.feeTiers
        fundingIntervalHours = row.fundingIntervalHours
        collectionIntervalSeconds = row.collectionIntervalSeconds
        markets = row.markets
        feeStructure = FeeStructure(makerFeePercent: row.makerFee, takerFeePercent: row.takerFee,
                                    hasFeeTiers: !(row.feeTiers ?? []).isEmpty, feeTiers: row.feeTiers)
        supportedSymbols = symbols
        lastSuccessfulFetch = row.lastSuccessfulFetch
        consecutiveErrors = row.consecutiveErrors
        health = HealthResponse.DexStatus(row)
    }
}

/// `GET /api/v1/dexes`.
struct DexListResponse: ResponseEncodable, Sendable {
    var dexes: [DexResponse]
    var count: Int
}

/// `GET /api/v1/dexes/{dex}/symbols`: the design document's `DEXSymbol` per market (`symbols`) and the service's
/// market rows (`markets`), with counts.
struct DexSymbolsResponse: ResponseEncodable, Sendable {
    /// The design document's `DEXSymbol` fields added to the market's: its names for the venue symbol, volume and
    /// OI; `min_order_size` is not collected from any venue (docs/api.md), so null.
    struct Symbol: Encodable, Sendable {
        var dexSymbolFormat: String
        var isActive = true
        @NullWhenAbsent var minOrderSize: Double?
        @NullWhenAbsent var volume24h: Double?
        @NullWhenAbsent var openInterest: Double?

        enum CodingKeys: String, CodingKey {
            case dexSymbolFormat = "dex_symbol_format"
            case isActive = "is_active"
            case minOrderSize = "min_order_size"
            case volume24h = "volume_24h"
            case openInterest = "open_interest"
        }

        init(_ row: DexMarketRow) {
            dexSymbolFormat = row.dexSymbol
            minOrderSize = nil
            volume24h = row.volume24hUSD
            openInterest = row.openInterestUSD
        }
    }

    var dexName: String
    /// Each market's fields, then its `Symbol` fields.
    var symbols: [MergedObject<DexMarketRow, Symbol>]
    var dex: String
    var markets: [DexMarketRow]
    var count: Int
    var symbolCount: Int

    enum CodingKeys: String, CodingKey {
        case symbols, dex, markets, count
        case dexName = "dex_name"
        case symbolCount = "symbol_count"
    }

    init(dex: String, rows: [DexMarketRow]) {
        dexName = dex
        symbols = rows.map { MergedObject($0, Symbol($0)) }
        self.dex = dex
        markets = rows
        count = rows.count
        symbolCount = Set(rows.map(\.symbol)).count
    }
}

/// `PUT /api/v1/admin/dexes/{dex}/fees`: what was stored, and the design document's `status` and `message`.
struct FeeUpdateResponse: ResponseEncodable, Sendable {
    var dex: String
    var makerFee: Double
    var takerFee: Double
    @NullWhenAbsent var feeTiers: [FeeTier]?
    @NullWhenAbsent var updatedAt: Date?
    var status = "success"
    var message: String

    enum CodingKeys: String, CodingKey {
        case dex, status, message
        case makerFee = "maker_fee"
        case takerFee = "taker_fee"
        case feeTiers = "fee_tiers"
        case updatedAt = "updated_at"
    }

    init(_ row: DexFeesRow) {
        dex = row.dex
        makerFee = row.makerFee
        takerFee = row.takerFee
        feeTiers = row.feeTiers
        updatedAt = row.updatedAt
        message = "Fees updated for \(row.dex)"
    }
}

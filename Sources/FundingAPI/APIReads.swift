import Foundation
import NIOCore
import PostgresNIO

/// The reads of the routes that answer rows as the SQL shapes them (`ResultRow`): each one statement into a view or
/// function of `schema/`, with bound parameters, named for what it reads. Route files hold no SQL; they validate,
/// call one of these and write the answer.
extension APIDatabase {
    // MARK: names

    /// Whether any market lists `symbol`.
    func symbolListed(_ symbol: String) async throws -> Bool {
        !(try await resultRows("SELECT 1 AS found FROM symbols WHERE symbol = \(symbol)")).isEmpty
    }

    /// Whether Hyperliquid lists `coin` (its own market name: BTC, kPEPE).
    func hyperliquidCoinListed(_ coin: String) async throws -> Bool {
        !(try await resultRows("""
            SELECT 1 AS found FROM markets m JOIN dexes d ON d.id = m.dex_id
            WHERE d.name = 'hyperliquid' AND m.dex_symbol = \(coin)
            """)).isEmpty
    }

    // MARK: latest rates (schema/0101)

    /// `api_funding_rates()`: the whole `GET /funding-rates` document, its bytes as they arrive.
    func fundingRatesDocument(dexes: [String]?, symbols: [String]?, quote: String?, basis: String,
                              includeMetadata: Bool) async throws -> ByteBuffer
    {
        try await document("""
            SELECT api_funding_rates(p_dexes => \(dexes)::text[], p_symbols => \(symbols)::text[],
                                     p_quote => \(quote)::text, p_basis => \(basis)::text,
                                     p_include_metadata => \(includeMetadata)::boolean)::text
            """)
    }

    /// `api_dex_funding_rates()`: the whole `GET /funding-rates/{dex}` document.
    func dexFundingRatesDocument(dex: String, symbols: [String]?, quote: String?, basis: String) async throws
        -> ByteBuffer
    {
        try await document("""
            SELECT api_dex_funding_rates(p_dex => \(dex)::text, p_symbols => \(symbols)::text[],
                                         p_quote => \(quote)::text, p_basis => \(basis)::text)::text
            """)
    }

    /// A call answering one JSON document (never NULL), passed through undecoded.
    private func document(_ query: PostgresQuery) async throws -> ByteBuffer {
        guard let body = try await rows(query, { try $0.decode(ByteBuffer?.self) }).first ?? nil else {
            throw APIError.internalError
        }
        return body
    }

    // MARK: markets, screener and liquidations

    /// `cross_venue_symbols()` of one symbol (schema/0097).
    func crossVenueOverview(symbol: String, window: String, maxAgeSeconds: Double) async throws -> ResultRow? {
        try await resultRows("""
            SELECT venues, markets, volume_24h_usd, open_interest_usd, price_change_pct, oi_reference_usd,
                   oi_change_usd, oi_change_pct, apr_mean, apr_min, apr_max, apr_stddev, apr_spread,
                   reference_markets, latest_time
            FROM cross_venue_symbols(\(window)::interval, make_interval(secs => \(maxAgeSeconds)))
            WHERE symbol = \(symbol)
            """).first
    }

    /// A symbol's fresh markets with their changes over `window` (`leaderboard_changes()`), most traded first.
    func symbolMarkets(symbol: String, window: String, maxAgeSeconds: Double) async throws -> [ResultRow] {
        try await resultRows("""
            SELECT v.dex, v.dex_symbol, v.quote, v.mark_price, c.price_change_pct, v.open_interest_usd,
                   c.oi_change_usd, c.oi_change_pct, v.volume_24h_usd, v.apr, c.apr_change, v.spread_bps,
                   v.time, c.reference_time
            FROM latest_funding_rates v
            LEFT JOIN leaderboard_changes(\(window)::interval) c ON c.market_id = v.market_id
            WHERE v.symbol = \(symbol) AND v.time >= now() - make_interval(secs => \(maxAgeSeconds))
            ORDER BY v.volume_24h_usd DESC NULLS LAST, v.dex, v.dex_symbol
            """)
    }

    /// `liquidation_clusters()` of a Hyperliquid coin (schema/0092).
    func liquidationClusters(coin: String, bandPct: Double, maxDistancePct: Double, maxAgeSeconds: Double)
        async throws -> [ResultRow]
    {
        try await resultRows("""
            SELECT side, band_low, band_high, distance_pct, positions, size_total, notional_usd, mark_price
            FROM liquidation_clusters(\(coin), p_band_pct => \(bandPct), p_max_distance_pct => \(maxDistancePct),
                                      p_max_age => make_interval(secs => \(maxAgeSeconds)))
            """)
    }

    /// `screener_markets` rows (schema/0098) inside the filters, most traded first.
    func screenerMarkets(dexes: [String]?, bases: [String]?, quote: String?, maxAgeSeconds: Double?, limit: Int)
        async throws -> [ResultRow]
    {
        try await resultRows("""
            SELECT * FROM screener_markets
            WHERE (\(dexes)::text[] IS NULL OR exchange = ANY (\(dexes)::text[]))
              AND (\(bases)::text[] IS NULL OR base = ANY (\(bases)::text[]))
              AND (\(quote)::text IS NULL OR quote = \(quote)::text)
              AND (\(maxAgeSeconds)::float8 IS NULL OR age_seconds <= \(maxAgeSeconds)::float8)
            ORDER BY volume_24h_usd DESC NULLS LAST, id
            LIMIT \(limit)::int
            """)
    }

    /// The `screener_markets` row of an id (case-insensitive).
    func screenerMarket(id: String) async throws -> ResultRow? {
        try await resultRows("SELECT * FROM screener_markets WHERE lower(id) = lower(\(id))").first
    }

    /// The market's changes over `window` (`leaderboard_changes()`).
    func screenerMarketChanges(id: String, window: String) async throws -> ResultRow? {
        try await resultRows("""
            SELECT c.reference_time, c.hours, c.mark_reference, c.price_change_pct, c.oi_reference_usd,
                   c.oi_change_usd, c.oi_change_pct, c.apr_reference, c.apr_change
            FROM screener_markets s JOIN leaderboard_changes(\(window)::interval) c ON c.market_id = s.market_id
            WHERE lower(s.id) = lower(\(id))
            """).first
    }

    /// The market's taker flow over the last hour (`trade_flow_1m`).
    func screenerMarketFlow(id: String) async throws -> ResultRow? {
        try await resultRows("""
            SELECT sum(f.buy_volume_usd) AS buy_volume_usd, sum(f.sell_volume_usd) AS sell_volume_usd,
                   sum(f.buy_volume_usd - f.sell_volume_usd) AS cvd_usd,
                   sum(f.buy_volume_base - f.sell_volume_base) AS cvd_base,
                   sum(f.buy_volume_usd) / nullif(sum(f.buy_volume_usd + f.sell_volume_usd), 0) AS taker_buy_ratio,
                   sum(f.buy_trades + f.sell_trades)::bigint AS trades, count(*) AS minutes
            FROM screener_markets s
            JOIN trade_flow_1m f ON f.market_id = s.market_id AND f.bucket >= now() - interval '1 hour'
            WHERE lower(s.id) = lower(\(id))
            """).first
    }

    /// The ids of the markets whose normalised contract name or base is `name` (at most 50, most traded first).
    func screenerMarketIds(named name: String) async throws -> [String] {
        try await resultRows("""
            SELECT id FROM screener_markets WHERE lower(symbol) = lower(\(name)) OR lower(base) = lower(\(name))
            ORDER BY volume_24h_usd DESC NULLS LAST, id LIMIT 50
            """).compactMap { $0["id"]?.string }
    }

    /// How much of the data is current, for `/api/status`.
    func dataCoverage() async throws -> DataCoverage? {
        try await rows("""
            SELECT (SELECT count(*) FROM latest_funding_rates) AS markets_active,
                   (SELECT count(*) FROM latest_funding_rates WHERE time >= now() - interval '5 minutes')
                       AS markets_fresh_5m,
                   (SELECT count(*) FROM live_prices WHERE received_at >= now() - interval '1 minute')
                       AS markets_streaming_1m,
                   (SELECT count(DISTINCT market_id) FROM trade_flow_1m WHERE bucket >= now() - interval '1 hour')
                       AS markets_with_trade_flow_1h
            """) { try DataCoverage($0) }.first
    }

    // MARK: prices

    /// `price_spread_history()` of one pair (schema/0093).
    func priceSpreadHistory(symbol: String, longDex: String, shortDex: String, from: Date, to: Date,
                            resolution: String) async throws -> [ResultRow]
    {
        try await resultRows("""
            SELECT * FROM price_spread_history(\(symbol), \(longDex), \(shortDex), \(from), \(to), \(resolution))
            """)
    }

    /// `price_spread_persistence()` of one pair over the last `seconds`.
    func priceSpreadPersistence(symbol: String, longDex: String, shortDex: String, thresholdBps: Double,
                                seconds: Double) async throws -> ResultRow?
    {
        try await resultRows("""
            SELECT * FROM price_spread_persistence(\(symbol), \(longDex), \(shortDex), \(thresholdBps),
                                                   \(seconds) * interval '1 second')
            """).first
    }

    // MARK: opportunities and statistics

    /// Recorded opportunities (`opportunity_history`), newest cycle first, with the count before the limit.
    func opportunityHistory(symbol: String?, from: Date, to: Date, minProfit: Double?, limit: Int)
        async throws -> (rows: [ResultRow], total: Int)
    {
        try await resultRowsWithTotal("""
            SELECT h.*, opportunity_pair_id(h.symbol, h.long_dex, h.long_dex_symbol, h.short_dex, h.short_dex_symbol)
                       AS id,
                   h.cycle_time AS discovered_at, h.net_profit AS net_profit_percent, count(*) OVER () AS total_count
            FROM opportunity_history h
            WHERE (\(symbol)::text IS NULL OR h.symbol = \(symbol)::text) AND h.cycle_time >= \(from)
              AND h.cycle_time < \(to) AND (\(minProfit)::float8 IS NULL OR h.net_profit >= \(minProfit)::float8)
            ORDER BY h.cycle_time DESC, h.net_profit DESC NULLS LAST, h.symbol, h.long_dex, h.short_dex LIMIT \(limit)
            """)
    }

    /// `best_opportunities`, best net profit first.
    func bestOpportunities(symbol: String?, limit: Int) async throws -> [ResultRow] {
        try await resultRows("""
            SELECT * FROM best_opportunities WHERE (\(symbol)::text IS NULL OR symbol = \(symbol)::text)
            ORDER BY net_profit DESC NULLS LAST LIMIT \(limit)
            """)
    }

    /// `opportunity_persistence`, most often profitable first.
    func opportunityPersistence(symbol: String?, limit: Int) async throws -> [ResultRow] {
        try await resultRows("""
            SELECT * FROM opportunity_persistence WHERE (\(symbol)::text IS NULL OR symbol = \(symbol)::text)
            ORDER BY profitable_share_24h DESC NULLS LAST, last_net_profit DESC NULLS LAST, symbol, long_dex, short_dex
            LIMIT \(limit)
            """)
    }

    /// `funding_rankings()` (schema/0012).
    func fundingRankings(order: String, dexes: [String]?, quote: String?, minOIUSD: Double?, maxOIUSD: Double?,
                         minVolume24h: Double?, limit: Int, maxAgeSeconds: Double, symbol: String?)
        async throws -> [ResultRow]
    {
        try await resultRows("""
            SELECT * FROM funding_rankings("order" => \(order), dexes => \(dexes)::text[], quote => \(quote),
                                           min_oi_usd => \(minOIUSD), max_oi_usd => \(maxOIUSD),
                                           min_volume_24h => \(minVolume24h), limit_rows => \(limit)::int,
                                           max_age => make_interval(secs => \(maxAgeSeconds)), symbol => \(symbol))
            ORDER BY rank, dex, dex_symbol
            """)
    }

    /// `funding_rate_stats()`: the pooled statistics of a symbol (optionally on one dex), rates per 8 h.
    func pooledFundingStats(period: String, symbol: String, dex: String?) async throws -> ResultRow? {
        try await resultRows("""
            SELECT period_days, period_start, period_end, avg_funding_rate, median_funding_rate, std_dev, volatility,
                   min_rate, max_rate, percentile_25, percentile_75, avg_annualized_apy, positive_rate_frequency,
                   markets, sample_count
            FROM funding_rate_stats(p_window => \(period), p_symbol => \(symbol), p_dex => \(dex))
            """).first
    }

    /// `funding_stats()`: per market.
    func marketFundingStats(period: String, symbol: String, dex: String?) async throws -> [ResultRow] {
        try await resultRows("""
            SELECT * FROM funding_stats(p_window => \(period), p_symbol => \(symbol), p_dex => \(dex))
            ORDER BY dex, dex_symbol
            """)
    }

    /// `funding_stats_by_symbol()`: across dexes.
    func symbolFundingStats(period: String, symbol: String) async throws -> ResultRow? {
        try await resultRows("""
            SELECT * FROM funding_stats_by_symbol(p_window => \(period), p_symbol => \(symbol))
            """).first
    }

    // MARK: settled funding (schema/0081, 0082)

    func realisedFunding(period: String, symbol: String?, dex: String?) async throws -> [ResultRow] {
        try await resultRows("""
            SELECT * FROM realised_funding(p_window => \(period)::interval, p_symbol => \(symbol), p_dex => \(dex))
            """)
    }

    func realisedPairReturns(period: String, symbol: String?, feeType: String, longDex: String?, shortDex: String?,
                             limit: Int) async throws -> [ResultRow]
    {
        try await resultRows("""
            SELECT * FROM realised_pair_returns(p_window => \(period)::interval, p_symbol => \(symbol),
                                                p_fee_type => \(feeType), p_long_dex => \(longDex),
                                                p_short_dex => \(shortDex))
            LIMIT \(limit)
            """)
    }

    func predictorAccuracyByDex(period: String, dex: String?) async throws -> [ResultRow] {
        try await resultRows("""
            SELECT * FROM predictor_accuracy_by_dex(p_window => \(period)::interval)
            WHERE \(dex)::text IS NULL OR dex = \(dex)::text
            """)
    }

    func predictorAccuracy(period: String, dex: String?) async throws -> [ResultRow] {
        try await resultRows("SELECT * FROM predictor_accuracy(p_window => \(period)::interval, p_dex => \(dex))")
    }

    func backfillStatus() async throws -> [ResultRow] {
        try await resultRows("SELECT * FROM backfill_status ORDER BY dex")
    }

    func settlementHistory(dex: String, symbol: String, from: Date, to: Date) async throws -> [ResultRow] {
        try await resultRows("SELECT * FROM settlement_history(\(dex), \(symbol), \(from), \(to))")
    }
}

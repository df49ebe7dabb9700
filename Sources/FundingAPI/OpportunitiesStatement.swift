import Foundation
import PostgresNIO

/// `current_opportunities(...)` (schema/0102: `opportunities()`'s rows from the candidate pairs computed once per
/// ingest cycle) as a named prepared statement, so PostgreSQL plans the inlined function once per pooled
/// connection instead of on every request (at fixture scale planning costs several times the execution).
/// Every parameter is bound, `sort_by` included: the ORDER BY picks the column with a CASE over the whitelisted
/// names, so one statement serves every sort. Besides the `opportunity` columns each row carries the design
/// document's fields: `id` (`opportunity_pair_id()`, stable per pair), `net_profit_percent` (= `net_profit`, a
/// fraction despite the name), `discovered_at` (the newer leg's sample time), `valid_until` (when the older leg's
/// sample passes `max_age` and the pair leaves the result unless a new cycle refreshes it), `avg_spread_bps` and
/// `metadata` (the fee type, horizon and age cut the figures were computed with). With `realised_period` each pair
/// also carries what it earned from settled funding over that many past days (`realised_funding()` of both legs,
/// one call for all markets of the query's symbol): `long_realised` / `short_realised` (Σ settled rates),
/// `realised_funding_return` = short − long, `realised_net_return` = that − `estimated_fees` (the same round trip as
/// `net_profit`), `realised_net_apr` (percent over the period) and each leg's settlement count; null without it or
/// for a leg without settlements (see `realised_pair_returns()` for the same figures over any window).
struct OpportunitiesStatement: PostgresPreparedStatement {
    typealias Row = ResultRow

    static let name = "fundingd_api_opportunities_v4"

    static let sortKey: String = {
        "CASE $22::text " + OpportunityQuery.sortable.map { "WHEN '\($0)' THEN x.\($0) " }.joined() + "END"
    }()

    /// The `opportunity` type's columns (schema/0012), in its order.
    static let opportunityColumns = [
        "long_dex", "short_dex", "symbol", "long_dex_symbol", "short_dex_symbol", "long_interval_hours",
        "short_interval_hours", "long_rate", "short_rate", "long_rate_8h", "short_rate_8h", "divergence",
        "estimated_fees", "net_profit", "annualized_apy", "break_even_hours", "long_oi_usd", "short_oi_usd",
        "min_oi_usd", "max_oi_usd", "oi_ratio", "oi_imbalance", "long_volume_24h", "short_volume_24h",
        "min_volume_24h", "long_spread_bps", "short_spread_bps", "price_spread_bps", "long_mark_price",
        "short_mark_price", "long_next_funding_time", "short_next_funding_time", "long_time", "short_time",
        "long_fee", "short_fee",
    ]

    static let order = """
        ORDER BY CASE WHEN $23::bool THEN \(sortKey) END DESC NULLS LAST,
                 CASE WHEN NOT $23::bool THEN \(sortKey) END ASC NULLS LAST,
                 x.symbol, x.long_dex, x.short_dex, x.long_dex_symbol, x.short_dex_symbol
        """

    /// The matching pairs are counted and sorted with only what sorting needs; the design document's fields (a hash,
    /// a JSON object per row) are computed for the `limit` rows returned, not for every match (at 5,000 markets
    /// ~5,000 pairs match the defaults).
    static let sql = """
        WITH realised AS MATERIALIZED (
            SELECT r.dex, r.dex_symbol, r.realised_rate, r.settlements
            FROM realised_funding(make_interval(days => $25::int), $1::text) r
            WHERE $25::int IS NOT NULL
        )
        SELECT \(opportunityColumns.map { "x.\($0)" }.joined(separator: ", ")),
               opportunity_pair_id(x.symbol, x.long_dex, x.long_dex_symbol, x.short_dex, x.short_dex_symbol) AS id,
               x.net_profit AS net_profit_percent,
               greatest(x.long_time, x.short_time) AS discovered_at,
               least(x.long_time, x.short_time) + make_interval(secs => $19::float8) AS valid_until,
               (x.long_spread_bps + x.short_spread_bps) / 2 AS avg_spread_bps,
               jsonb_build_object('fee_type', $17::text, 'hold_hours', $18::float8, 'max_age_seconds', $19::float8)
                   AS metadata,
               x.total_count, x.long_realised, x.short_realised, x.long_settlements, x.short_settlements,
               x.realised_funding_return, x.realised_net_return, x.realised_net_apr
        FROM (
        SELECT * FROM (
        SELECT o.*,
               count(*) OVER () AS total_count,
               rl.realised_rate AS long_realised, rs.realised_rate AS short_realised,
               rl.settlements AS long_settlements, rs.settlements AS short_settlements,
               rs.realised_rate - rl.realised_rate AS realised_funding_return,
               rs.realised_rate - rl.realised_rate - o.estimated_fees AS realised_net_return,
               (rs.realised_rate - rl.realised_rate - o.estimated_fees) / ($25::int * 24) * 876000 AS realised_net_apr
        FROM current_opportunities(
            symbol => $1::text, long_dex => $2::text, short_dex => $3::text, include_dexes => $4::text[],
            exclude_dexes => $5::text[], quote => $6::text, min_divergence => $7::float8, min_profit => $8::float8,
            min_volume_24h => $9::float8, max_volume_24h => $10::float8, min_oi_usd => $11::float8,
            max_oi_usd => $12::float8, oi_ratio_min => $13::float8, oi_ratio_max => $14::float8,
            oi_imbalance => $15::text, max_spread_bps => $16::float8, fee_type => $17::text, hold_hours => $18::float8,
            max_age => make_interval(secs => $19::float8), volume_30d => $20::float8) o
        LEFT JOIN realised rl ON rl.dex = o.long_dex AND rl.dex_symbol = o.long_dex_symbol
        LEFT JOIN realised rs ON rs.dex = o.short_dex AND rs.dex_symbol = o.short_dex_symbol
        WHERE ($21::text[] IS NULL OR o.symbol = ANY($21::text[]))
        ) x
        \(order)
        LIMIT $24::int8
        ) x
        \(order)
        """

    let query: OpportunityQuery

    func makeBindings() throws -> PostgresBindings {
        let q = query
        precondition(OpportunityQuery.sortable.contains(q.sortBy))
        var b = PostgresBindings(capacity: 25)
        try b.append(q.symbol)
        try b.append(q.longDex)
        try b.append(q.shortDex)
        try b.append(q.includeDexes)
        try b.append(q.excludeDexes)
        try b.append(q.quote)
        try b.append(q.minDivergence)
        try b.append(q.minProfit)
        try b.append(q.minVolume24h)
        try b.append(q.maxVolume24h)
        try b.append(q.minOIUSD)
        try b.append(q.maxOIUSD)
        try b.append(q.oiRatioMin)
        try b.append(q.oiRatioMax)
        try b.append(q.oiImbalance)
        try b.append(q.maxSpreadBps)
        try b.append(q.feeType)
        try b.append(q.holdHours)
        try b.append(Double(q.maxAgeSeconds))
        try b.append(q.volume30d)
        try b.append(q.symbols)
        try b.append(q.sortBy)
        try b.append(q.sortDesc)
        try b.append(q.limit)
        try b.append(q.realisedDays.map(Int32.init))  // $25::int is int4: a bound Int (int8) would be refused
        return b
    }

    func decodeRow(_ row: PostgresRow) throws -> ResultRow {
        try ResultRow(row: row)
    }
}

import Foundation
import PostgresNIO

/// `opportunities_page(...)` (schema/0102: `current_opportunities()`'s rows, from the candidate pairs computed once
/// per ingest cycle, ranked on their narrow keys so only the returned pairs are built; `total_count` is every match)
/// as a named prepared statement (parsed once per pooled connection; the function is opaque to the planner, so
/// planning stays cheap). Every parameter is bound, `sort_by` included: the ORDER BY picks the column with a CASE over the whitelisted
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

    static let name = "fundingd_api_opportunities_v6"

    /// Every declared parameter is bound, in declaration order: `$n` of the one named `name`, with its SQL type.
    static func placeholder(_ name: String) -> String {
        let i = OpportunityQuery.parameters.firstIndex { $0.name == name }!
        return "$\(i + 1)::\(OpportunityQuery.parameters[i].sqlType)"
    }

    /// The arguments of `opportunities_page()`: `p_<argument>` for each declared parameter naming a
    /// `current_opportunities()` argument, then the symbols list, the sort and the limit it ranks by.
    static let arguments: String = (OpportunityQuery.parameters.compactMap { p in
        p.argument.map { arg in
            if case .seconds = p.kind { return "p_\(arg) => make_interval(secs => \(placeholder(p.name)))" }
            return "p_\(arg) => \(placeholder(p.name))"
        }
    } + ["p_symbols => \(placeholder("symbols"))", "p_sort_by => \(placeholder("sort_by"))",
         "p_sort_desc => \(placeholder("sort_desc"))", "p_limit_rows => \(placeholder("limit"))"])
        .joined(separator: ", ")

    static let sortKey: String = {
        "CASE \(placeholder("sort_by")) " + OpportunityQuery.sortable.map { "WHEN '\($0)' THEN x.\($0) " }.joined()
            + "END"
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
        ORDER BY CASE WHEN \(placeholder("sort_desc")) THEN \(sortKey) END DESC NULLS LAST,
                 CASE WHEN NOT \(placeholder("sort_desc")) THEN \(sortKey) END ASC NULLS LAST,
                 x.symbol, x.long_dex, x.short_dex, x.long_dex_symbol, x.short_dex_symbol
        """

    /// The matching pairs are counted and sorted with only what sorting needs; the design document's fields (a hash,
    /// a JSON object per row) are computed for the `limit` rows returned, not for every match (at 5,000 markets
    /// ~5,000 pairs match the defaults).
    static let sql = """
        WITH realised AS MATERIALIZED (
            SELECT r.dex, r.dex_symbol, r.realised_rate, r.settlements
            FROM realised_funding(make_interval(days => \(placeholder("realised_period"))), \(placeholder("symbol"))) r
            WHERE \(placeholder("realised_period")) IS NOT NULL
        )
        SELECT \(opportunityColumns.map { "x.\($0)" }.joined(separator: ", ")),
               opportunity_pair_id(x.symbol, x.long_dex, x.long_dex_symbol, x.short_dex, x.short_dex_symbol) AS id,
               x.net_profit AS net_profit_percent,
               greatest(x.long_time, x.short_time) AS discovered_at,
               least(x.long_time, x.short_time) + make_interval(secs => \(placeholder("max_age"))) AS valid_until,
               (x.long_spread_bps + x.short_spread_bps) / 2 AS avg_spread_bps,
               jsonb_build_object('fee_type', \(placeholder("fee_type")), 'hold_hours', \(placeholder("hold_hours")),
                                 'max_age_seconds', \(placeholder("max_age")))
                   AS metadata,
               x.total_count, x.long_realised, x.short_realised, x.long_settlements, x.short_settlements,
               x.realised_funding_return, x.realised_net_return, x.realised_net_apr
        FROM (
        SELECT * FROM (
        SELECT o.*,
               rl.realised_rate AS long_realised, rs.realised_rate AS short_realised,
               rl.settlements AS long_settlements, rs.settlements AS short_settlements,
               rs.realised_rate - rl.realised_rate AS realised_funding_return,
               rs.realised_rate - rl.realised_rate - o.estimated_fees AS realised_net_return,
               (rs.realised_rate - rl.realised_rate - o.estimated_fees) / (\(placeholder("realised_period")) * 24)
                   * 876000 AS realised_net_apr
        FROM (SELECT (p.o).*, p.total_count FROM opportunities_page(\(arguments)) p) o
        LEFT JOIN realised rl ON rl.dex = o.long_dex AND rl.dex_symbol = o.long_dex_symbol
        LEFT JOIN realised rs ON rs.dex = o.short_dex AND rs.dex_symbol = o.short_dex_symbol
        ) x
        \(order)
        LIMIT \(placeholder("limit"))
        ) x
        \(order)
        """

    let query: OpportunityQuery

    func makeBindings() throws -> PostgresBindings {
        precondition(OpportunityQuery.sortable.contains(query.sortBy))
        var b = PostgresBindings(capacity: OpportunityQuery.parameters.count)
        for p in OpportunityQuery.parameters { try p.bind(query, to: &b) }
        return b
    }

    func decodeRow(_ row: PostgresRow) throws -> ResultRow {
        try ResultRow(row: row)
    }
}

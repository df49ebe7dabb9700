import Foundation
import PostgresNIO

/// The latest rates `GET /funding-rates` shapes, as a named prepared statement: only the columns the route
/// writes or uses to pick a market, unordered (the response is keyed by name).
struct LatestRateValuesStatement: PostgresPreparedStatement {
    typealias Row = FundingRateRow

    static let name = "fundingd_api_latest_rate_values_v2"

    static let sql = """
        SELECT dex, symbol, dex_symbol, quote, funding_rate, rate_1h, rate_8h, apr, volume_24h_usd, open_interest_usd,
               time, funding_interval_hours, next_funding_time
        FROM latest_funding_rates
        WHERE ($1::text[] IS NULL OR dex = ANY($1::text[]))
          AND ($2::text[] IS NULL OR symbol = ANY($2::text[]))
          AND ($3::text IS NULL OR quote = $3::text)
        """

    let dexes: [String]?
    let symbols: [String]?
    let quote: String?

    func makeBindings() throws -> PostgresBindings {
        var b = PostgresBindings(capacity: 3)
        try b.append(dexes)
        try b.append(symbols)
        try b.append(quote)
        return b
    }

    func decodeRow(_ row: PostgresRow) throws -> FundingRateRow {
        try FundingRateRow(valuesRow: row)
    }
}

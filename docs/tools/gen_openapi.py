# Generates docs/openapi.json (run: python3 docs/tools/gen_openapi.py). Edit here, not the JSON; the route
# agreement test (OpenAPIDocumentTests) compares the JSON with the router.
import json
N = {"type": ["number", "null"]}
I = {"type": ["integer", "null"]}
S = {"type": ["string", "null"]}
T = {"type": ["string", "null"], "format": "date-time"}
Tr = {"type": "string", "format": "date-time"}
def ref(n): return {"$ref": f"#/components/schemas/{n}"}
def obj(props, required=None, extra=True):
    o = {"type": "object", "properties": props}
    if required: o["required"] = required
    return o
def err(desc): return {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}
def ok(schema, desc="OK"): return {"description": desc, "content": {"application/json": {"schema": schema}}}
E400 = err("A malformed or out-of-range parameter (the message names it)")
E404 = err("Unknown dex or symbol, or no market for them")
E503 = err("The database is unavailable (answered at once while it is known to be away) or a query timed out")
def qp(name, schema, desc, required=False):
    return {"name": name, "in": "query", "required": required, "description": desc, "schema": schema}
def pp(name, desc, example):
    return {"name": name, "in": "path", "required": True, "description": desc, "example": example,
            "schema": {"type": "string", "minLength": 1, "maxLength": 64}}
DEX = pp("dex", "Dex name, e.g. binance", "binance")
SYM = pp("symbol", "Normalised symbol, e.g. BTC", "BTC")
NUM = lambda mn=None, mx=None: {k: v for k, v in {"type": "number", "minimum": mn, "maximum": mx}.items() if v is not None}
LIST = {"type": "string", "description": "comma-separated values", "maxLength": 200}

market = obj({
    "dex": {"type": "string"}, "symbol": {"type": "string"}, "dex_symbol": {"type": "string"}, "quote": S,
    "funding_rate": {"type": "number"}, "funding_interval_hours": N, "rate_1h": N, "rate_8h": N, "apr": N,
    "predicted_rate": N, "next_funding_time": T, "mark_price": N, "index_price": N, "open_interest_usd": N,
    "volume_24h_usd": N, "best_bid": N, "best_ask": N, "spread_bps": N, "time": Tr, "age_seconds": N},
    ["dex", "symbol", "dex_symbol", "funding_rate", "time"])
opportunity = obj({
    "long_dex": {"type": "string"}, "short_dex": {"type": "string"}, "symbol": {"type": "string"},
    "long_dex_symbol": S, "short_dex_symbol": S, "long_interval_hours": N, "short_interval_hours": N,
    "long_rate": N, "short_rate": N, "long_rate_8h": N, "short_rate_8h": N, "divergence": N,
    "estimated_fees": N, "net_profit": N, "annualized_apy": N, "break_even_hours": N,
    "long_oi_usd": N, "short_oi_usd": N, "min_oi_usd": N, "max_oi_usd": N, "oi_ratio": N,
    "oi_imbalance": S, "long_volume_24h": N, "short_volume_24h": N, "min_volume_24h": N,
    "long_spread_bps": N, "short_spread_bps": N, "price_spread_bps": N, "long_mark_price": N,
    "short_mark_price": N, "long_next_funding_time": T, "short_next_funding_time": T, "long_time": T,
    "short_time": T, "long_fee": N, "short_fee": N,
    "id": {"type": "integer", "description": "opportunity_pair_id(): stable per pair of markets (53-bit hash)"},
    "net_profit_percent": dict(N, description="= net_profit: a FRACTION of notional (the design document's name)"),
    "discovered_at": dict(T, description="the newer leg's sample time"),
    "valid_until": dict(T, description="when the older leg's sample passes max_age"),
    "avg_spread_bps": N, "metadata": {"type": ["object", "null"], "description": "fee_type, hold_hours, max_age_seconds"}},
    ["long_dex", "short_dex", "symbol"])
rate = obj({"funding_rate": {"type": "number"}, "annualized_rate": dict(N, description="percent per year (apr)"),
            "next_funding_time": T, "timestamp": Tr, "dex_symbol": {"type": "string"}, "quote": S,
            "funding_interval_hours": N, "rate_8h": N},
           ["funding_rate", "annualized_rate", "next_funding_time", "timestamp"])
health_fields = {"status": {"type": "string", "enum": ["healthy", "degraded", "unhealthy"]}, "markets": {"type": "integer"},
    "newest_data": T, "data_age_seconds": N, "last_successful_fetch": T, "consecutive_errors": {"type": "integer"},
    "last_error": S, "last_error_at": T, "last_run_at": T, "last_run_status": S}
dex = obj({"name": {"type": "string"}, "display_name": {"type": "string"}, "kind": {"type": "string", "enum": ["cex", "dex"]},
    "is_active": {"type": "boolean"},
    "fee_structure": obj({"maker_fee_percent": dict(N, description="fraction (0.0002 = 2 bps)"), "taker_fee_percent": N,
                          "has_fee_tiers": {"type": "boolean"},
                          "fee_tiers": {"type": ["array", "null"], "items": ref("FeeTier")}},
                         ["maker_fee_percent", "taker_fee_percent", "has_fee_tiers"]),
    "supported_symbols": {"type": "array", "items": {"type": "string"}}, "last_successful_fetch": T,
    "consecutive_errors": {"type": "integer"},
    "maker_fee": N, "taker_fee": N, "fee_tiers": {"type": ["array", "null"], "items": ref("FeeTier")},
    "funding_interval_hours": N, "collection_interval_seconds": I, "markets": {"type": "integer"},
    "health": obj({k: v for k, v in health_fields.items() if k != "markets"}, ["status"])},
    ["name", "display_name", "is_active", "fee_structure", "supported_symbols", "consecutive_errors", "kind", "health"])
fee_tier = obj({"min_volume_30d": NUM(0), "maker_fee": NUM(-0.01, 0.01), "taker_fee": NUM(-0.01, 0.01)},
               ["min_volume_30d", "maker_fee", "taker_fee"])
schemas = {
    "Error": obj({"error": obj({"code": {"type": "string"}, "message": {"type": "string"}}, ["code", "message"])}, ["error"]),
    "Market": market, "Opportunity": opportunity, "Dex": dex, "FeeTier": fee_tier, "Rate": rate,
    "DexMetadata": obj({"name": {"type": "string"}, "maker_fee_percent": N, "taker_fee_percent": N, "display_name": S, "kind": S, "funding_interval_hours": N, "maker_fee": N, "taker_fee": N,
                        "status": S, "markets": {"type": "integer"}, "updated_at": T}),
    "FundingRates": obj({"data": {"type": "object", "description": "symbol → dex → rate in the requested basis",
                                  "additionalProperties": {"type": "object", "additionalProperties": N}},
                         "basis": {"type": "string", "enum": ["native", "1h", "8h", "1d", "apr"]}, "updated_at": T,
                         "dex_metadata": {"type": "object", "additionalProperties": ref("DexMetadata")}},
                        ["data", "basis", "updated_at"]),
    "DexFundingRates": obj({"dex_name": {"type": "string"}, "rates": {"type": "object", "additionalProperties": ref("Rate")},
                            "dex": {"type": "string"}, "basis": {"type": "string"},
                            "data": {"type": "object", "additionalProperties": N}, "updated_at": T},
                           ["dex_name", "rates", "dex", "basis", "data"]),
    "Markets": obj({"dex_name": {"type": "string"}, "symbol": {"type": "string"}, "funding_rate": {"type": "number"},
                    "annualized_rate": N, "next_funding_time": T, "timestamp": Tr, "mark_price": N, "index_price": N,
                    "dex_symbol": {"type": "string"}, "funding_interval_hours": N, "dex": {"type": "string"},
                    "markets": {"type": "array", "items": ref("Market")}, "updated_at": T},
                   ["dex_name", "symbol", "funding_rate", "timestamp", "dex", "markets"]),
    "Opportunities": obj({"opportunities": {"type": "array", "items": ref("Opportunity")}, "total_count": {"type": "integer"},
                          "filters_applied": {"type": "object"}, "generated_at": Tr},
                         ["opportunities", "total_count", "filters_applied", "generated_at"]),
    "Comparison": obj({"dex1": {"type": "string"}, "dex2": {"type": "string"}, "symbol": S,
                       "opportunities": {"type": "array", "description": "per symbol, the better direction",
                                         "items": {"allOf": [ref("Opportunity"), obj({
                                             "rate_diff": N, "better_on": {"type": "string"},
                                             "recommendation": {"type": "string"}},
                                             ["rate_diff", "better_on", "recommendation"])]}},
                       "pairs": {"type": "array", "items": ref("Opportunity")}, "total_count": {"type": "integer"},
                       "filters_applied": {"type": "object"}, "generated_at": Tr},
                      ["dex1", "dex2", "opportunities", "pairs", "total_count"]),
    "Best": obj({"opportunity": {"oneOf": [ref("Opportunity"), {"type": "null"}]}, "rank": I,
                 "total_opportunities": {"type": "integer"}, "filters_applied": {"type": "object"}, "generated_at": Tr},
                ["opportunity", "rank", "total_opportunities", "generated_at"]),
    "OpportunityList": obj({"opportunities": {"type": "array", "items": {"type": "object"}}, "count": {"type": "integer"},
                            "generated_at": Tr}, ["opportunities", "count"]),
    "Persistence": obj({"persistence": {"type": "array", "items": {"type": "object"}}, "count": {"type": "integer"},
                        "generated_at": Tr}, ["persistence", "count"]),
    "Rankings": obj({"rankings": {"type": "array", "items": obj({"rank": {"type": "integer"}, "dex": {"type": "string"},
                         "symbol": {"type": "string"}, "dex_symbol": {"type": "string"}, "quote": S, "funding_rate": N,
                         "funding_interval_hours": N, "rate_1h": N, "rate_8h": N, "apr": N, "predicted_rate": N,
                         "next_funding_time": T, "mark_price": N, "open_interest_usd": N, "volume_24h_usd": N,
                         "spread_bps": N, "time": T, "age_seconds": N}, ["rank", "dex", "symbol"])},
                     "count": {"type": "integer"}, "order": {"type": "string"}, "generated_at": Tr}, ["rankings", "count"]),
    "Leaderboards": obj({"leaderboards": {"type": "array", "items": obj({"name": {"type": "string"},
                             "description": {"type": "string"}, "value_unit": {"type": "string"},
                             "windows": {"type": ["array", "null"], "items": {"type": "string"},
                                         "description": "accepted window values; null = the board takes no window"},
                             "default_window": S}, ["name", "description", "value_unit"])},
                         "count": {"type": "integer"},
                         "parameters": {"type": "array", "items": obj({"name": {"type": "string"},
                                        "description": {"type": "string"}}, ["name", "description"])},
                         "generated_at": Tr}, ["leaderboards", "count", "parameters"]),
    "Leaderboard": obj({"leaderboard": {"type": "string"}, "description": S, "value_unit": S,
                        "window": dict(S, description="the window used (null for boards without one)"),
                        "entries": {"type": "array", "items": obj({"rank": {"type": "integer"},
                            "dex": {"type": "string"}, "symbol": {"type": "string"}, "dex_symbol": {"type": "string"},
                            "quote": S, "value": dict(N, description="the number the board ranks by, in value_unit"),
                            "signal": dict(S, description="the rule that fired (signals board only)"),
                            "mark_price": N, "open_interest_usd": N, "volume_24h_usd": N, "apr": N, "spread_bps": N,
                            "time": T, "reference_time": dict(T, description="the sample the window compares with"),
                            "metrics": {"type": ["object", "null"], "description": "named details, units in the names"}},
                            ["rank", "dex", "symbol", "value"])},
                        "count": {"type": "integer"}, "filters_applied": {"type": "object"}, "generated_at": Tr},
                       ["leaderboard", "entries", "count"]),
    "LiquidationClusters": obj({"coin": {"type": "string"}, "mark_price": dict(N, description="USD per coin (null without clusters)"),
                                "clusters": {"type": "array", "items": obj({
                                    "side": {"type": "string", "enum": ["long", "short"]},
                                    "band_low": N, "band_high": N, "distance_pct": N,
                                    "positions": {"type": "integer"}, "size_total": N,
                                    "notional_usd": dict(N, description="sum of |size| x liquidation price"),
                                    "mark_price": N}, ["side", "band_low", "band_high", "notional_usd"])},
                                "count": {"type": "integer"}, "band_pct": {"type": "number"},
                                "max_distance_pct": {"type": "number"}, "max_age": {"type": "integer"},
                                "generated_at": Tr}, ["coin", "clusters", "count"]),
    "HistoryPoint": obj({"dex_symbol": {"type": "string"}, "quote": S, "time": Tr, "funding_rate": N,
                         "funding_interval_hours": N, "rate_8h": N, "rate_min": N, "rate_max": N,
                         "sample_count": {"type": "integer"}, "mark_price": N, "open_interest_usd": N,
                         "volume_24h_usd": N}, ["dex_symbol", "time"]),
    "HistoryStatistics": obj({"dex_symbol": {"type": "string"}, "samples": {"type": "integer"}, "mean_rate": N,
                              "min_rate": N, "max_rate": N, "stddev_rate": N, "mean_rate_8h": N, "mean_apr": N,
                              "first_time": T, "last_time": T}, ["dex_symbol", "samples"]),
    "FundingHistory": obj({"dex_name": {"type": "string"}, "dex_symbol": S,
                           "data_points": {"type": "array", "items": obj({"time": Tr, "rate": N}, ["time", "rate"])},
                           "statistics": obj({"avg_rate": N, "median_rate": N, "std_dev": N, "min_rate": N, "max_rate": N,
                                              "samples": {"type": "integer"}, "mean_rate_8h": N, "mean_apr": N},
                                             ["avg_rate", "median_rate", "std_dev", "min_rate", "max_rate"]),
                           "period_start": Tr, "period_end": Tr, "market_statistics": {"type": "array", "items": ref("HistoryStatistics")},
                           "dex": {"type": "string"}, "symbol": {"type": "string"},
                           "interval": {"type": "string", "enum": ["raw", "1h", "1d"]}, "start_time": Tr, "end_time": Tr,
                           "data": {"type": "array", "items": ref("HistoryPoint")}, "count": {"type": "integer"}},
                          ["dex_name", "symbol", "data_points", "statistics", "period_start", "period_end", "dex",
                           "interval", "data", "count", "market_statistics"]),
    "Settlement": obj({"dex_symbol": {"type": "string"}, "quote": S, "funding_time": Tr,
                       "funding_rate": {"type": "number"}, "funding_interval_hours": {"type": "number"},
                       "rate_8h": N, "apr": N, "mark_price": N, "index_price": N},
                      ["dex_symbol", "funding_time", "funding_rate", "funding_interval_hours"]),
    "Settlements": obj({"dex": {"type": "string"}, "symbol": {"type": "string"}, "start_time": Tr, "end_time": Tr,
                        "count": {"type": "integer"}, "settlements": {"type": "array", "items": ref("Settlement")}},
                       ["dex", "symbol", "start_time", "end_time", "count", "settlements"]),
    "RealisedFunding": obj({"period": {"type": "string"}, "count": {"type": "integer"}, "markets": {
        "type": "array", "items": obj({
            "dex": {"type": "string"}, "symbol": {"type": "string"}, "dex_symbol": {"type": "string"},
            "settlements": {"type": "integer"}, "hours_covered": N, "first_funding_time": T,
            "last_funding_time": T, "realised_rate": N, "realised_apr": N, "mean_rate_8h": N},
            ["dex", "symbol", "dex_symbol", "settlements"])}}, ["period", "count", "markets"]),
    "RealisedPairReturns": obj({"period": {"type": "string"}, "count": {"type": "integer"}, "pairs": {
        "type": "array", "items": obj({
            "symbol": {"type": "string"}, "long_dex": {"type": "string"}, "long_dex_symbol": {"type": "string"},
            "short_dex": {"type": "string"}, "short_dex_symbol": {"type": "string"},
            "long_settlements": {"type": "integer"}, "short_settlements": {"type": "integer"},
            "long_hours": N, "short_hours": N, "long_realised": N, "short_realised": N, "funding_return": N,
            "long_fee": N, "short_fee": N, "estimated_fees": N, "net_return": N, "net_apr": N},
            ["symbol", "long_dex", "short_dex", "net_return"])}}, ["period", "count", "pairs"]),
    "PredictorAccuracy": obj({"period": {"type": "string"},
        "dexes": {"type": "array", "items": obj({
            "dex": {"type": "string"}, "markets": {"type": "integer"}, "settlements": {"type": "integer"},
            "mean_abs_error": N, "mean_signed_error": N, "mean_abs_error_8h": N, "max_abs_error": N},
            ["dex", "markets", "settlements"])},
        "markets": {"type": "array", "items": obj({
            "dex": {"type": "string"}, "symbol": {"type": "string"}, "dex_symbol": {"type": "string"},
            "settlements": {"type": "integer"}, "mean_abs_error": N, "mean_signed_error": N,
            "mean_abs_error_8h": N, "max_abs_error": N}, ["dex", "symbol", "dex_symbol", "settlements"])}},
        ["period", "dexes", "markets"]),
    "BackfillStatus": obj({"count": {"type": "integer"}, "dexes": {"type": "array", "items": obj({
        "dex": {"type": "string"}, "markets": {"type": "integer"}, "markets_started": {"type": "integer"},
        "settlements": {"type": "integer"}, "covered_from": T, "covered_to": T, "oldest_covered_to": T,
        "updated_at": T}, ["dex", "markets", "markets_started", "settlements"])}}, ["count", "dexes"]),
    "OpportunityHistory": obj({"symbol": S, "start_time": Tr, "end_time": Tr, "period_start": Tr, "period_end": Tr,
                               "opportunities": {"type": "array", "items": {"type": "object"}}, "count": {"type": "integer"},
                               "total_count": {"type": "integer"}},
                              ["opportunities", "count", "total_count", "period_start", "period_end"]),
    "FundingStats": obj({"symbol": {"type": "string"}, "dex_name": S, "period_days": {"type": "integer"},
                         "period_start": T, "period_end": T, "avg_funding_rate": N, "median_funding_rate": N,
                         "std_dev": N, "volatility": N, "min_rate": N, "max_rate": N, "percentile_25": N,
                         "percentile_75": N, "avg_annualized_apy": N, "positive_rate_frequency": N,
                         "markets": I, "sample_count": I, "rate_basis": {"type": "string", "enum": ["8h"]},
                         "dex": S, "period": {"type": "string"},
                         "statistics": {"type": "array", "description": "funding_stats() per market",
                                        "items": {"type": "object"}},
                         "summary": {"type": ["object", "null"], "description": "funding_stats_by_symbol() (without dex)"}},
                        ["symbol", "period", "statistics"]),
    "Dexes": obj({"dexes": {"type": "array", "items": ref("Dex")}, "count": {"type": "integer"}}, ["dexes", "count"]),
    "DexMarket": obj({"symbol": {"type": "string"}, "dex_symbol": {"type": "string"}, "quote": S, "margin": S,
                      "multiplier": N, "funding_interval_hours": N, "funding_rate": N, "open_interest_usd": N,
                      "volume_24h_usd": N, "last_update": T}, ["symbol", "dex_symbol"]),
    "DexSymbols": obj({"dex_name": {"type": "string"},
                       "symbols": {"type": "array", "items": {"allOf": [ref("DexMarket"), obj({
                           "dex_symbol_format": {"type": "string"}, "is_active": {"type": "boolean"},
                           "min_order_size": dict(N, description="always null: not collected"), "volume_24h": N,
                           "open_interest": dict(N, description="USD")}, ["dex_symbol_format", "is_active"])]}},
                       "dex": {"type": "string"}, "markets": {"type": "array", "items": ref("DexMarket")},
                       "count": {"type": "integer"}, "symbol_count": {"type": "integer"}},
                      ["dex_name", "symbols", "dex", "markets", "count"]),
    "FeeUpdate": dict(obj({"maker_fee": NUM(-0.01, 0.01), "taker_fee": NUM(-0.01, 0.01),
                           "maker_fee_percent": dict(NUM(-0.01, 0.01), description="= maker_fee (a fraction; the design document's name)"),
                           "taker_fee_percent": dict(NUM(-0.01, 0.01), description="= taker_fee"),
                           "has_fee_tiers": {"type": "boolean"},
                           "fee_tiers": {"type": ["array", "null"], "items": ref("FeeTierIn")}}),
                      additionalProperties=False,
                      description="maker_fee or maker_fee_percent, and taker_fee or taker_fee_percent, are required (one name each)"),
    "FeeTierIn": dict(obj({"min_volume_30d": NUM(0), "max_volume_30d": {"type": ["number", "null"]},
                           "maker_fee": NUM(-0.01, 0.01), "taker_fee": NUM(-0.01, 0.01)},
                          ["min_volume_30d", "maker_fee", "taker_fee"]), additionalProperties=False),
    "FeeUpdateResult": obj({"status": {"type": "string", "enum": ["success"]}, "message": {"type": "string"},
                            "dex": {"type": "string"}, "maker_fee": N, "taker_fee": N,
                            "fee_tiers": {"type": ["array", "null"]}, "updated_at": Tr},
                           ["status", "message", "dex", "maker_fee", "taker_fee"]),
    "Health": obj({"status": {"type": "string", "enum": ["healthy", "degraded", "unhealthy"]}, "timestamp": Tr,
                   "dex_health": {"type": "array", "items": obj({
                       "dex_name": {"type": "string"}, "is_healthy": {"type": "boolean"}, "last_successful_fetch": T,
                       "consecutive_errors": I, "error_rate_percent": N, "avg_collection_latency_ms": N, "runs_24h": I,
                       "status": S, "last_run_status": S}, ["dex_name", "is_healthy"])},
                   "total_requests": {"type": "integer"}, "cache_hit_rate": N, "last_collection_time": T,
                   "reasons": {"type": "array", "items": {"type": "string"}},
                   "ingest": {"type": ["object", "null"], "properties": {
                       "buffered_cycles": {"type": "integer"}, "last_write_at": T, "last_write_error": S,
                       "is_leader": {"type": "boolean"}, "cycles_dropped": {"type": "integer"},
                       "interval_seconds": {"type": "number"}, "stuck": {"type": "boolean"}}},
                   "database": {"type": "string", "enum": ["ok", "unavailable"]},
                   "dexes": {"type": "object", "additionalProperties": obj(health_fields, ["status"])},
                   "oldest_data_age_seconds": N, "last_collection": T, "uptime_seconds": {"type": "number"},
                   "replica": {"type": "object", "description": "The API's read database: in_recovery is true on a hot standby (DATABASE_READER_URL on a replica), replay_lag_seconds = now() - pg_last_xact_replay_timestamp() there (null on a primary).",
                               "properties": {"in_recovery": {"type": ["boolean", "null"]},
                                              "replay_lag_seconds": {"type": ["number", "null"]}}}},
                  ["status", "timestamp", "dex_health", "uptime_seconds", "total_requests", "reasons", "database",
                   "dexes"]),
    "MetricsSummary": obj({"requests_per_minute": {"type": "integer"}, "avg_response_time_ms": N,
                           "cache_size_mb": {"type": "number"}, "database_connections": {"type": "integer"},
                           "active_websockets": {"type": "integer"},
                           "uptime_seconds": {"type": "number"}, "requests": {"type": "object"},
                           "requests_total": {"type": "integer"}, "streams": {"type": "object"},
                           "database_pool": {"type": "object"},
                           "response_cache": obj({"ttl_ms": {"type": "integer"}, "entries": {"type": "integer"},
                                                  "bytes": {"type": "integer"}, "hits": {"type": "integer"},
                                                  "stale": {"type": "integer"},
                                                  "misses": {"type": "integer"}, "shared": {"type": "integer"}},
                                                 ["ttl_ms", "entries", "hits", "stale", "misses", "shared"])},
                          ["requests_per_minute", "cache_size_mb", "database_connections", "active_websockets",
                           "uptime_seconds", "requests", "streams"]),
}
opp_params = [
    qp("symbol", {"type": "string", "maxLength": 64}, "Only this symbol"),
    qp("symbols", LIST, "Only these symbols (comma-separated)"),
    qp("long_dex", {"type": "string", "maxLength": 64}, "Long leg on this dex"),
    qp("short_dex", {"type": "string", "maxLength": 64}, "Short leg on this dex"),
    qp("include_dexes", LIST, "Both legs among these dexes"),
    qp("exclude_dexes", LIST, "Neither leg on these dexes"),
    qp("quote", {"type": "string", "maxLength": 16}, "Quote asset of both markets (USDT, USDC, USD)"),
    qp("min_divergence", NUM(-1, 1), "Minimum 8h divergence, fraction (default 0.0001)"),
    qp("min_profit", NUM(-1, 1), "Minimum net profit over hold_hours, fraction (default 0)"),
    qp("min_profit_percent", NUM(-1, 1), "= min_profit (a fraction; the design document's model name)"),
    qp("min_volume_24h", NUM(0, 1e15), "Minimum 24 h volume of both legs, USD (default 100000)"),
    qp("min_volume", NUM(0, 1e15), "= min_volume_24h (the design document's name)"),
    qp("max_volume_24h", NUM(0, 1e15), "Maximum 24 h volume, USD"),
    qp("min_oi_usd", NUM(0, 1e15), "Minimum open interest of both legs, USD"),
    qp("max_oi_usd", NUM(0, 1e15), "Maximum open interest, USD"),
    qp("oi_ratio_min", NUM(0, 1e6), "Minimum long/short OI ratio"),
    qp("oi_ratio_max", NUM(0, 1e6), "Maximum long/short OI ratio"),
    qp("oi_imbalance", {"type": "string", "enum": ["long_heavy", "short_heavy", "balanced"]}, "OI imbalance class"),
    qp("max_spread_bps", NUM(0, 10000), "Maximum bid/ask spread of each leg, bps"),
    qp("fee_type", {"type": "string", "enum": ["maker", "taker"]}, "Fees charged (default taker)"),
    qp("hold_hours", NUM(0.01, 8760), "Holding horizon, hours (default 8)"),
    qp("max_age", {"type": "integer", "minimum": 1, "maximum": 86400}, "Maximum sample age, seconds (default 300)"),
    qp("volume_30d", NUM(0, 1e15), "Your 30-day volume, USD, for fee tiers"),
    qp("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "At most this many rows (default 10)"),
    qp("sort_by", {"type": "string", "enum": ["long_interval_hours", "short_interval_hours", "long_rate", "short_rate",
        "long_rate_8h", "short_rate_8h", "divergence", "estimated_fees", "net_profit", "annualized_apy",
        "break_even_hours", "long_oi_usd", "short_oi_usd", "min_oi_usd", "max_oi_usd", "oi_ratio", "long_volume_24h",
        "short_volume_24h", "min_volume_24h", "long_spread_bps", "short_spread_bps", "price_spread_bps",
        "long_mark_price", "short_mark_price", "long_fee", "short_fee", "net_profit_percent"]},
       "Numeric field to sort by (default net_profit; net_profit_percent is the same)"),
    qp("sort_desc", {"type": "boolean"}, "Sort descending (default true)"),
]
opp_params.append(qp("dexes", LIST, "= include_dexes"))
opp_params.sort(key=lambda p: p["name"])
opp_params_nosymbol = [p for p in opp_params if p["name"] != "symbol"]
window = [qp("start_time", {"type": "string", "format": "date-time"}, "Window start (ISO 8601 or Unix seconds)"),
          qp("end_time", {"type": "string", "format": "date-time"}, "Window end (default now)"),
          qp("period", {"type": "string", "enum": ["1h", "4h", "12h", "1d", "7d", "30d", "90d", "1y"]},
             "Window length back from end_time, instead of start_time (default 1d)")]
basis = qp("basis", {"type": "string", "enum": ["native", "1h", "8h", "1d", "apr"]}, "Rate basis (default native)")
CACHE_HEADER = {"X-Fundingd-Cache": {
    "description": "hit: answered from the response cache (kept until the next ingest cycle or fee change, at most "
                   "FUNDINGD_API_CACHE_TTL_MS); miss: this request ran the query. Absent when the cache is off.",
    "required": False, "schema": {"type": "string", "enum": ["hit", "miss"]}}}
def get(summary, params, responses, tags):
    if tags[0] not in ("operations", "streams") and "200" in responses:
        responses["200"] = dict(responses["200"], headers=CACHE_HEADER)
    # Every route: unknown query parameters are a 400; every database read can answer 503.
    responses.setdefault("400", err("An unknown, malformed or out-of-range parameter (the message names it)"))
    if tags[0] not in ("streams",) and summary not in ("Prometheus metrics", "This document", "Metrics summary (JSON)"):
        responses.setdefault("503", E503)
    return {"get": {"summary": summary, "tags": tags, "parameters": params, "responses": responses}}
paths = {
    "/api/v1/funding-rates": get("Latest funding rates by symbol and dex", [
        qp("dex", LIST, "Only these dexes"), qp("symbol", LIST, "Only these symbols"),
        qp("quote", {"type": "string", "maxLength": 16}, "Only markets with this quote asset"), basis,
        qp("include_metadata", {"type": "boolean"}, "Add dex_metadata")],
        {"200": ok(ref("FundingRates")), "400": E400, "404": E404}, ["funding rates"]),
    "/api/v1/funding-rates/{dex}": get("Latest funding rates of one dex", [DEX,
        qp("symbol", LIST, "Only these symbols"), qp("quote", {"type": "string", "maxLength": 16}, "Quote asset"), basis],
        {"200": ok(ref("DexFundingRates")), "400": E400, "404": E404}, ["funding rates"]),
    "/api/v1/funding-rates/{dex}/{symbol}": get("The rate of a symbol on a dex, and every market of it", [DEX, SYM,
        qp("quote", {"type": "string", "maxLength": 16}, "Pick the market with this quote asset")],
        {"200": ok(ref("Markets")), "400": E400, "404": E404}, ["funding rates"]),
    "/api/v1/opportunities": get("Fee-adjusted cross-dex opportunities", opp_params,
        {"200": ok(ref("Opportunities")), "400": E400, "404": E404}, ["opportunities"]),
    "/api/v1/opportunities/best": get("The single best opportunity under the /opportunities parameters", opp_params,
        {"200": ok(ref("Best")), "400": E400, "404": E404}, ["opportunities"]),
    "/api/v1/opportunities/best-by-symbol": get("The best opportunity per symbol (default parameters)", [
        qp("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "At most this many (default 10)"),
        qp("symbol", {"type": "string", "maxLength": 64}, "Only this symbol")],
        {"200": ok(ref("OpportunityList")), "400": E400, "404": E404}, ["opportunities"]),
    "/api/v1/opportunities/symbol/{symbol}": get("Opportunities for one symbol", [SYM] + opp_params_nosymbol,
        {"200": ok(ref("Opportunities")), "400": E400, "404": E404}, ["opportunities"]),
    "/api/v1/opportunities/compare": get("Both directions between two dexes", [
        dict(qp("dex1", {"type": "string", "minLength": 1, "maxLength": 64}, "First dex", True), example="binance"),
        dict(qp("dex2", {"type": "string", "minLength": 1, "maxLength": 64}, "Second dex", True), example="hyperliquid")]
        + [p if p["name"] != "limit" else qp("limit", {"type": "integer", "minimum": 1, "maximum": 1000},
                                              "At most this many pairs (default 1000)") for p in opp_params],
        {"200": ok(ref("Comparison")), "400": E400, "404": E404}, ["opportunities"]),
    "/api/v1/opportunities/persistence": get("How long opportunities have persisted", [
        qp("symbol", {"type": "string", "maxLength": 64}, "Only this symbol"),
        qp("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "At most this many (default 50)")],
        {"200": ok(ref("Persistence")), "400": E400, "404": E404}, ["opportunities"]),
    "/api/v1/rankings/funding": get("Markets ranked by APR (funding_rankings())", [
        qp("order", {"type": "string", "enum": ["desc", "asc"]}, "desc (highest APR first, default) or asc"),
        qp("dex", LIST, "Only these dexes"), qp("symbol", {"type": "string", "maxLength": 64}, "Only this symbol"),
        qp("quote", {"type": "string", "maxLength": 16}, "Quote asset"),
        qp("min_oi_usd", NUM(0, 1e15), "Minimum open interest, USD"),
        qp("max_oi_usd", NUM(0, 1e15), "Maximum open interest, USD"),
        qp("min_volume_24h", NUM(0, 1e15), "Minimum 24 h volume, USD"),
        qp("max_age", {"type": "integer", "minimum": 1, "maximum": 86400}, "Maximum sample age, seconds (default 300)"),
        qp("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "At most this many (default 20)")],
        {"200": ok(ref("Rankings")), "400": E400, "404": E404}, ["rankings"]),
    "/api/v1/leaderboards": get("Screener leaderboards: names, descriptions, units, windows and parameters", [],
        {"200": ok(ref("Leaderboards"))}, ["leaderboards"]),
    "/api/v1/leaderboards/{name}": get("One screener leaderboard, ranked inside the filters (leaderboard())", [
        pp("name", "Leaderboard name (GET /api/v1/leaderboards lists them), e.g. gainers", "gainers"),
        qp("window", {"type": "string", "enum": ["1h", "4h", "24h", "7d"]},
           "The board's window, one of its windows (default its default_window); boards without windows take none"),
        qp("dex", LIST, "Only these dexes"), qp("quote", {"type": "string", "maxLength": 16}, "Quote asset"),
        qp("min_volume_24h", NUM(0, 1e15), "Minimum 24 h volume, USD"),
        qp("min_oi_usd", NUM(0, 1e15), "Minimum open interest, USD"),
        qp("max_age", {"type": "integer", "minimum": 1, "maximum": 86400}, "Maximum sample age, seconds (default 300)"),
        qp("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "At most this many (default 50)")],
        {"200": ok(ref("Leaderboard")), "400": E400, "404": err("Unknown leaderboard or dex")}, ["leaderboards"]),
    "/api/v1/liquidations/clusters/{coin}": get("Hyperliquid liquidation clusters: notional per price band around the mark (liquidation_clusters())", [
        pp("coin", "Hyperliquid coin (its venue symbol), e.g. BTC", "BTC"),
        qp("band_pct", NUM(0.01, 100), "Band width, percent of the mark (default 0.5)"),
        qp("max_distance_pct", NUM(0.01, 100), "Only liquidation prices within this many percent of the mark (default 25)"),
        qp("max_age", {"type": "integer", "minimum": 1, "maximum": 86400}, "Only accounts scanned within this many seconds (default 3600)")],
        {"200": ok(ref("LiquidationClusters")), "400": E400, "404": err("No hyperliquid market for the coin")}, ["leaderboards"]),
    "/api/v1/history/funding-rates/{dex}/{symbol}": get("Funding history and statistics", [DEX, SYM] + window + [
        qp("interval", {"type": "string", "enum": ["raw", "1h", "1d"]}, "Granularity (default by window length)"),
        qp("format", {"type": "string", "enum": ["json", "csv"]}, "json (default) or csv"),
        qp("quote", {"type": "string", "maxLength": 16}, "The market of data_points / statistics by quote asset")],
        {"200": {"description": "History (JSON) or CSV with a header row", "content": {
            "application/json": {"schema": ref("FundingHistory")}, "text/csv": {"schema": {"type": "string"}}}},
         "400": E400, "404": E404}, ["history"]),
    "/api/v1/history/opportunities": get("Recorded opportunities", [
        qp("symbol", {"type": "string", "maxLength": 64}, "Only this symbol")] + window + [
        qp("min_profit", NUM(-1, 1), "Minimum net profit, fraction"),
        qp("min_profit_percent", NUM(-1, 1), "= min_profit"),
        qp("limit", {"type": "integer", "minimum": 1, "maximum": 10000}, "At most this many (default 100)")],
        {"200": ok(ref("OpportunityHistory")), "400": E400, "404": E404}, ["history"]),
    "/api/v1/history/settlements/{dex}/{symbol}": get("Settled funding of a symbol on a dex", [DEX, SYM] + [
        p if p["name"] != "period" else dict(p, description="Window length back from end_time, instead of start_time (default 7d)")
        for p in window] + [
        qp("format", {"type": "string", "enum": ["json", "csv"]}, "json (default) or csv")],
        {"200": {"description": "Settlements oldest first (JSON) or CSV with a header row", "content": {
            "application/json": {"schema": ref("Settlements")}, "text/csv": {"schema": {"type": "string"}}}},
         "400": E400, "404": E404}, ["history"]),
    "/api/v1/realised-funding": get("Realised (settled) funding per market (realised_funding())", [
        qp("symbol", {"type": "string", "maxLength": 64}, "Only this symbol"),
        qp("dex", {"type": "string", "maxLength": 64}, "Only this dex"),
        qp("period", {"type": "string", "enum": ["1d", "7d", "30d"]}, "Window (default 7d)")],
        {"200": ok(ref("RealisedFunding")), "400": E400, "404": E404}, ["history"]),
    "/api/v1/realised-pair-returns": get("What long/short pairs earned from settled funding, net of fees", [
        qp("symbol", {"type": "string", "maxLength": 64}, "Only this symbol"),
        qp("period", {"type": "string", "enum": ["1d", "7d", "30d"]}, "Window (default 7d)"),
        qp("fee_type", {"type": "string", "enum": ["maker", "taker"]}, "Fee per fill (default taker)"),
        qp("long_dex", {"type": "string", "maxLength": 64}, "Only pairs long on this dex"),
        qp("short_dex", {"type": "string", "maxLength": 64}, "Only pairs short on this dex"),
        qp("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "At most this many, best first (default 100)")],
        {"200": ok(ref("RealisedPairReturns")), "400": E400, "404": E404}, ["history"]),
    "/api/v1/predictor-accuracy": get("Sampled rate before each funding time against the settled rate", [
        qp("dex", {"type": "string", "maxLength": 64}, "Only this dex"),
        qp("period", {"type": "string", "enum": ["1d", "7d", "30d"]}, "Window (default 7d)")],
        {"200": ok(ref("PredictorAccuracy")), "400": E400, "404": E404}, ["history"]),
    "/api/v1/backfill": get("Settled-funding backfill progress per dex", [],
        {"200": ok(ref("BackfillStatus"))}, ["history"]),
    "/api/v1/stats/funding-rates/{symbol}": get("Funding statistics of a symbol", [SYM,
        qp("dex", {"type": "string", "maxLength": 64}, "Only this dex"),
        qp("period", {"type": "string", "enum": ["1d", "7d", "30d"]}, "Window (default 30d)")],
        {"200": ok(ref("FundingStats")), "400": E400, "404": E404}, ["history"]),
    "/api/v1/dexes": get("Every active dex with fees and health", [], {"200": ok(ref("Dexes"))}, ["dexes"]),
    "/api/v1/dexes/{dex}": get("One dex: fees, kind, health", [DEX], {"200": ok(ref("Dex")), "404": E404}, ["dexes"]),
    "/api/v1/dexes/{dex}/symbols": get("Markets of a dex", [DEX], {"200": ok(ref("DexSymbols")), "404": E404}, ["dexes"]),
    "/api/v1/admin/dexes/{dex}/fees": {"put": {
        "summary": "Set a dex's fees (next opportunities query uses them)", "tags": ["admin"],
        "security": [{"bearer": []}], "parameters": [DEX],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("FeeUpdate"),
            "example": {"maker_fee": 0.0002, "taker_fee": 0.0005}}}},
        "responses": {"200": ok(ref("FeeUpdateResult")), "400": E400, "401": err("Missing or wrong bearer token"),
                      "413": err("Body larger than 64 KiB"), "415": err("Body not application/json"), "503": E503,
                      "403": err("Admin routes disabled (no FUNDINGD_ADMIN_TOKEN)"), "404": E404}}},
    "/api/v1/health": get("Service health", [], {"200": ok(ref("Health"), "healthy or degraded"),
                                                 "503": ok(ref("Health"), "unhealthy")}, ["operations"]),
    "/api/v1/metrics": get("Metrics summary (JSON)", [], {"200": ok(ref("MetricsSummary"))}, ["operations"]),
    "/metrics": get("Prometheus metrics", [], {"200": {"description": "Prometheus text format",
        "content": {"text/plain": {"schema": {"type": "string"}}}}}, ["operations"]),
    "/openapi.json": get("This document", [], {"200": ok({"type": "object"})}, ["operations"]),
}
ws_desc = ("WebSocket stream (connect with an Upgrade request). Send {\"action\":\"subscribe\",\"filters\":{...}}; "
           "the server answers {\"type\":\"snapshot\",\"data\":[...]}, then after each ingest cycle "
           "{\"type\":\"update\",\"cycle_time\":...,\"data\":[changed rows that match]}. Other actions: "
           "unsubscribe, ping (→ pong). Invalid messages get {\"type\":\"error\",\"error\":{code,message}}. "
           "A client whose bounded send queue overflows is closed with code 1008.")
paths["/api/v1/ws/funding-rates"] = get("Funding-rate stream (WebSocket)", [], {
    "426": err("A plain GET: this endpoint needs a WebSocket upgrade")}, ["streams"])
paths["/api/v1/ws/funding-rates"]["get"]["description"] = ws_desc + " Filters: symbols, dexes (lists), quote. Rows as in Market."
paths["/api/v1/ws/opportunities"] = get("Opportunity stream (WebSocket)", [], {
    "426": err("A plain GET: this endpoint needs a WebSocket upgrade")}, ["streams"])
paths["/api/v1/ws/opportunities"]["get"]["description"] = ws_desc + (" Filters: any GET /api/v1/opportunities parameter "
    "(limit defaults to 100); updates also list pairs that left the result under removed.")
doc = {"openapi": "3.1.0",
       "info": {"title": "fundingd API", "version": "1.0.0",
                "description": "Funding rates, fee-adjusted cross-dex opportunities, history and health. JSON everywhere; "
                               "timestamps ISO 8601 UTC; dexes and symbols by name. Errors: {\"error\":{\"code\",\"message\"}}. "
                               "Read routes reuse a response until the next ingest cycle or fee change, for at most "
                               "FUNDINGD_API_CACHE_TTL_MS (default 1 s); see the X-Fundingd-Cache header."},
       "servers": [{"url": "http://127.0.0.1:8000"}],
       "paths": paths,
       "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}

# What the server enforces on every parameter, stated once here so schemathesis's negative data
# (scripts/api_contract.sh) finds any disagreement: a name or list never holds a control character and is not
# blank (QueryReader: an empty value is a 400); query names and lists take up to 200 characters (the reader's
# limit; quote has its own 16); start/end times are an ISO 8601 date-time or date, or Unix seconds.
NAME_PATTERN = "^[^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u001f\\u007f ][^\\u0000-\\u001f\\u007f]*$"
TIME = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"},
                  {"type": "string", "pattern": "^[0-9]{1,10}(\\.[0-9]{1,6})?$"}],
        "description": "ISO 8601 date-time (offset at most ±18:00) or date (midnight UTC), or Unix seconds"}
for item in paths.values():
    for op in item.values():
        for prm in op.get("parameters", []):
            sc = prm.get("schema", {})
            if prm["name"] in ("start_time", "end_time") and sc.get("format") == "date-time":
                prm["schema"] = dict(TIME)
            elif sc.get("type") == "string" and "enum" not in sc and "format" not in sc:
                prm["schema"] = dict(sc, pattern=NAME_PATTERN)
                if prm["in"] == "query" and sc.get("maxLength") == 64:
                    prm["schema"]["maxLength"] = 200
import os
json.dump(doc, open(os.path.join(os.path.dirname(__file__), "..", "openapi.json"), "w"), indent=1)
print(len(paths))

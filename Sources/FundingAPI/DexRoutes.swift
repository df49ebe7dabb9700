import Foundation
import Hummingbird

/// `GET /api/v1/dexes`, `/dexes/{dex}`, `/dexes/{dex}/symbols` and `PUT /api/v1/admin/dexes/{dex}/fees`.
struct DexRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/dexes") { _, _ in
            let rows = try await deps.database.dexHealth()
            return Response.json { w in
                w.object { o in
                    o.key("dexes")
                    o.array { a in for row in rows { Self.writeDex(row, to: &a) } }
                    o.field("count", rows.count)
                }
            }
        }
        routes.cachedGet("/api/v1/dexes/{dex}") { _, context in
            let dex = try await deps.catalog.dex(context.path("dex"))
            guard let row = try await deps.database.dexHealth(dex: dex).first else {
                throw APIError(.notFound, code: "dex_inactive", message: "dex '\(dex)' is not active")
            }
            var w = JSONWriter()
            Self.writeDex(row, to: &w)
            return Response.json(w)
        }
        routes.cachedGet("/api/v1/dexes/{dex}/symbols") { _, context in
            let dex = try await deps.catalog.dex(context.path("dex"))
            let rows = try await deps.database.dexMarkets(dex: dex)
            return Response.json { w in
                w.object { o in
                    o.field("dex", dex)
                    o.key("markets")
                    o.array { a in for row in rows { row.write(to: &a) } }
                    o.field("count", rows.count)
                    o.field("symbols", Set(rows.compactMap { $0["symbol"]?.string }).count)
                }
            }
        }
        routes.put("/api/v1/admin/dexes/{dex}/fees") { request, context in
            try AdminAuth.check(request, token: deps.settings.adminToken)
            let dex = try await deps.catalog.dex(context.path("dex"))
            let body = try await request.body.collect(upTo: 64 * 1024)
            let update = try FeeUpdate(json: Data(buffer: body))
            let row = try await deps.database.setFees(dex: dex, makerFee: update.makerFee, takerFee: update.takerFee,
                                                      feeTiersJSON: update.feeTiersJSON)
            // Other processes learn of the change from the trigger's NOTIFY; this one must not wait for it.
            deps.cache.invalidate()
            deps.logger.notice("dex fees updated", metadata: [
                "dex": "\(dex)", "maker_fee": "\(update.makerFee)", "taker_fee": "\(update.takerFee)",
            ])
            var w = JSONWriter()
            row.write(to: &w)
            return Response.json(w)
        }
    }

    /// A dex: names, fees, collection settings and health.
    static func writeDex(_ row: ResultRow, to w: inout JSONWriter) {
        w.object { o in
            for key in ["dex", "display_name", "kind", "maker_fee", "taker_fee", "fee_tiers", "funding_interval_hours",
                        "collection_interval_seconds", "markets"] {
                o.key(key == "dex" ? "name" : key)
                (row[key] ?? .null).write(to: &o)
            }
            o.key("health")
            o.object { h in
                for key in ["status", "newest_data", "data_age_seconds", "last_successful_fetch", "last_error_at",
                            "last_error", "consecutive_errors", "last_run_at", "last_run_status"] {
                    h.key(key)
                    (row[key] ?? .null).write(to: &h)
                }
            }
        }
    }
}

/// The body of `PUT /api/v1/admin/dexes/{dex}/fees`: `{"maker_fee": 0.0002, "taker_fee": 0.0005, "fee_tiers": [...]}`.
struct FeeUpdate: Sendable {
    struct Tier: Codable, Sendable {
        var min_volume_30d: Double
        var maker_fee: Double
        var taker_fee: Double
    }

    struct Body: Decodable {
        var maker_fee: Double
        var taker_fee: Double
        var fee_tiers: [Tier]?
    }

    var makerFee: Double
    var takerFee: Double
    var feeTiersJSON: String?

    init(json data: Data) throws {
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw APIError.invalidParameter(Self.path(context.codingPath + [key]), "required")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw APIError.invalidParameter(Self.path(context.codingPath), "must be a number")
        } catch {
            throw APIError(.badRequest, code: "invalid_body", message: "body: expected a JSON object")
        }
        let range = -0.01...0.01
        guard range.contains(body.maker_fee) else {
            throw APIError.invalidParameter("maker_fee", "must be a fraction between -0.01 and 0.01 (0.0002 = 2 bps)")
        }
        guard range.contains(body.taker_fee) else {
            throw APIError.invalidParameter("taker_fee", "must be a fraction between -0.01 and 0.01 (0.0005 = 5 bps)")
        }
        var previous = -Double.infinity
        for (i, t) in (body.fee_tiers ?? []).enumerated() {
            guard t.min_volume_30d.isFinite, t.min_volume_30d >= 0, t.min_volume_30d > previous,
                  range.contains(t.maker_fee), range.contains(t.taker_fee)
            else {
                throw APIError.invalidParameter("fee_tiers[\(i)]", """
                    needs min_volume_30d (>= 0, ascending), maker_fee and taker_fee (fractions between -0.01 and 0.01)
                    """)
            }
            previous = t.min_volume_30d
        }
        makerFee = body.maker_fee
        takerFee = body.taker_fee
        feeTiersJSON = try body.fee_tiers.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }
}

/// Bearer-token check for the admin routes, in constant time over the token's bytes.
enum AdminAuth {
    static func check(_ request: Request, token: String?) throws {
        guard let token, !token.isEmpty else {
            throw APIError.forbidden("admin routes are disabled: no FUNDINGD_ADMIN_TOKEN is configured")
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.unauthorized("missing bearer token")
        }
        let given = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard constantTimeEqual(Array(given.utf8), Array(token.utf8)) else {
            throw APIError.unauthorized("invalid bearer token")
        }
    }

    /// Compares every byte of the longer input whatever the first difference, so timing reveals nothing but
    /// (at most) the length.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(truncatingIfNeeded: a.count ^ b.count) | UInt8(a.count == b.count ? 0 : 1)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            diff |= x ^ y
        }
        return diff == 0
    }
}

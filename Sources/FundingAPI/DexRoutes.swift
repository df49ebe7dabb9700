import Foundation
import Hummingbird
import NIOCore

/// `GET /api/v1/dexes`, `/dexes/{dex}`, `/dexes/{dex}/symbols` and `PUT /api/v1/admin/dexes/{dex}/fees`.
struct DexRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/dexes") { request, context in
            let rows = try await deps.database.dexHealth()
            let symbols = try await deps.database.dexSymbolNames()
            return try DexListResponse(dexes: rows.map { DexResponse($0, symbols: symbols[$0.dex] ?? []) },
                                       count: rows.count)
                .response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/dexes/{dex}") { request, context in
            let dex = try await deps.catalog.dex(context.path("dex"))
            guard let row = try await deps.database.dexHealth(dex: dex).first else {
                throw APIError(.notFound, code: "dex_inactive", message: "dex '\(dex)' is not active")
            }
            let symbols = try await deps.database.dexSymbolNames(dex: dex)
            return try DexResponse(row, symbols: symbols[dex] ?? []).response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/dexes/{dex}/symbols") { request, context in
            let dex = try await deps.catalog.dex(context.path("dex"))
            let rows = try await deps.database.dexMarkets(dex: dex)
            return try DexSymbolsResponse(dex: dex, rows: rows).response(from: request, context: context)
        }
        routes.put("/api/v1/admin/dexes/{dex}/fees") { request, context in
            try AdminAuth.check(request, token: deps.settings.adminToken)
            let dex = try await deps.catalog.dex(context.path("dex"))
            let update = try FeeUpdate(json: try await FeeUpdate.body(of: request))
            let row = try await deps.database.setFees(dex: dex, makerFee: update.makerFee, takerFee: update.takerFee,
                                                      feeTiersJSON: update.feeTiersJSON)
            // Other processes learn of the change from the trigger's NOTIFY; this one must not wait for it.
            deps.cache.invalidate()
            deps.logger.notice("dex fees updated", metadata: [
                "dex": "\(dex)", "maker_fee": "\(update.makerFee)", "taker_fee": "\(update.takerFee)",
            ])
            return try FeeUpdateResponse(row).response(from: request, context: context)
        }
    }
}

/// The body of `PUT /api/v1/admin/dexes/{dex}/fees`, in either naming:
/// the service's `{"maker_fee": 0.0002, "taker_fee": 0.0005, "fee_tiers": [{min_volume_30d, maker_fee, taker_fee}]}`
/// or the design document's `DEXFeeStructure`
/// `{"maker_fee_percent": 0.0002, "taker_fee_percent": 0.0005, "has_fee_tiers": false, "fee_tiers": null}` (also a
/// fraction despite the name; tiers may carry `max_volume_30d`, which must be the next tier's `min_volume_30d`, or
/// null on the last). Any other key is a 400: nothing sent is silently ignored.
struct FeeUpdate: Sendable {
    struct Tier: Decodable, Sendable {
        var min_volume_30d: Double
        var max_volume_30d: Double?
        var maker_fee: Double
        var taker_fee: Double
    }

    struct Body: Decodable {
        var maker_fee: Double?
        var taker_fee: Double?
        var maker_fee_percent: Double?
        var taker_fee_percent: Double?
        var has_fee_tiers: Bool?
        var fee_tiers: [Tier]?
    }

    static let keys: Set<String> = ["maker_fee", "taker_fee", "maker_fee_percent", "taker_fee_percent",
                                    "has_fee_tiers", "fee_tiers"]
    static let tierKeys: Set<String> = ["min_volume_30d", "max_volume_30d", "maker_fee", "taker_fee"]
    /// The largest body read.
    static let maxBodyBytes = 64 * 1024

    var makerFee: Double
    var takerFee: Double
    var feeTiersJSON: String?

    /// The request body: JSON (no `Content-Type` is read as JSON; another type is a 415), at most `maxBodyBytes`
    /// (413 otherwise).
    static func body(of request: Request) async throws -> Data {
        let type = request.headers[.contentType]?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard type == nil || type == "application/json" else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "the body must be JSON (Content-Type: application/json)")
        }
        let tooLarge = APIError(.contentTooLarge, code: "body_too_large",
                                message: "the body may be at most \(maxBodyBytes) bytes")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes { throw tooLarge }
        do {
            return Data(buffer: try await request.body.collect(upTo: maxBodyBytes))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
    }

    init(json data: Data) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError(.badRequest, code: "invalid_body", message: "body: expected a JSON object")
        }
        if let bad = object.keys.filter({ !Self.keys.contains($0) }).sorted().first {
            throw APIError.invalidParameter(QueryReader.printable(bad), "unknown field; the body takes "
                                            + Self.keys.sorted().joined(separator: ", "))
        }
        for (i, tier) in ((object["fee_tiers"] as? [Any]) ?? []).enumerated() {
            if let t = tier as? [String: Any], let bad = t.keys.filter({ !Self.tierKeys.contains($0) }).sorted().first {
                throw APIError.invalidParameter("fee_tiers[\(i)].\(QueryReader.printable(bad))", "unknown field")
            }
        }
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw APIError.invalidParameter(Self.path(context.codingPath + [key]), "required")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = Self.path(context.codingPath)
            throw APIError.invalidParameter(field, field == "has_fee_tiers" ? "must be a boolean" : "must be a number")
        } catch {
            throw APIError(.badRequest, code: "invalid_body", message: "body: expected a JSON object")
        }
        func fee(_ name: String, _ value: Double?, _ alias: String, _ aliasValue: Double?) throws -> Double {
            if value != nil, aliasValue != nil {
                throw APIError.invalidParameter(alias, "is another name for \(name): give one of them")
            }
            guard let v = value ?? aliasValue else { throw APIError.invalidParameter(name, "required") }
            guard (-0.01...0.01).contains(v) else {
                throw APIError.invalidParameter(aliasValue != nil ? alias : name,
                                                "must be a fraction between -0.01 and 0.01 (0.0002 = 2 bps)")
            }
            return v
        }
        makerFee = try fee("maker_fee", body.maker_fee, "maker_fee_percent", body.maker_fee_percent)
        takerFee = try fee("taker_fee", body.taker_fee, "taker_fee_percent", body.taker_fee_percent)
        let tiers = body.fee_tiers ?? []
        if body.has_fee_tiers == true, tiers.isEmpty {
            throw APIError.invalidParameter("fee_tiers", "required when has_fee_tiers is true")
        }
        if body.has_fee_tiers == false, !tiers.isEmpty {
            throw APIError.invalidParameter("has_fee_tiers", "is false but fee_tiers lists tiers")
        }
        let range = -0.01...0.01
        var previous = -Double.infinity
        for (i, t) in tiers.enumerated() {
            guard t.min_volume_30d.isFinite, t.min_volume_30d >= 0, t.min_volume_30d > previous,
                  range.contains(t.maker_fee), range.contains(t.taker_fee)
            else {
                throw APIError.invalidParameter("fee_tiers[\(i)]", """
                    needs min_volume_30d (>= 0, ascending), maker_fee and taker_fee (fractions between -0.01 and 0.01)
                    """)
            }
            let next = i + 1 < tiers.count ? tiers[i + 1].min_volume_30d : nil
            if let max = t.max_volume_30d, max != next {
                throw APIError.invalidParameter("fee_tiers[\(i)].max_volume_30d", next.map {
                    "must equal the next tier's min_volume_30d (\(JSONWriter.number($0)))"
                } ?? "must be null on the last tier")
            }
            previous = t.min_volume_30d
        }
        feeTiersJSON = try body.fee_tiers.map { tiers in
            String(decoding: try JSONEncoder().encode(tiers.map {
                FeeTier(minVolume30d: $0.min_volume_30d, makerFee: $0.maker_fee, takerFee: $0.taker_fee)
            }), as: UTF8.self)
        }
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

import Foundation
import Hummingbird
import NIOCore

/// An error the API answers with: an HTTP status and the body `{"error": {"code": ..., "message": ...}}`.
///
/// Every failure at the HTTP edge becomes one of these; `ErrorMiddleware` converts whatever else is thrown.
public struct APIError: HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// A stable machine-readable code (`invalid_parameter`, `dex_not_found`, ...).
    public var code: String
    /// A human-readable explanation naming the offending parameter or name.
    public var message: String
    /// Extra headers (e.g. `WWW-Authenticate`).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// A malformed or out-of-range parameter (400), naming it.
    public static func invalidParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_parameter", message: "\(name): \(message)")
    }

    public static func dexNotFound(_ dex: String) -> APIError {
        APIError(.notFound, code: "dex_not_found", message: "unknown dex '\(dex)'")
    }

    public static func symbolNotFound(_ symbol: String) -> APIError {
        APIError(.notFound, code: "symbol_not_found", message: "unknown symbol '\(symbol)'")
    }

    public static func marketNotFound(dex: String, symbol: String) -> APIError {
        APIError(.notFound, code: "market_not_found", message: "dex '\(dex)' has no market for symbol '\(symbol)'")
    }

    public static let routeNotFound = APIError(.notFound, code: "not_found", message: "no such route")

    public static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message: message, headers: [.wwwAuthenticate: "Bearer"])
    }

    public static func forbidden(_ message: String) -> APIError {
        APIError(.forbidden, code: "forbidden", message: message)
    }

    public static let internalError = APIError(.internalServerError, code: "internal_error",
                                               message: "internal error; see the server log")

    public static let queryTimeout = APIError(.serviceUnavailable, code: "query_timeout",
                                              message: "the query exceeded the statement timeout")

    public static let databaseUnavailable = APIError(.serviceUnavailable, code: "database_unavailable",
                                                     message: "the database is unavailable")

    /// The database is away, with why (no connection within the checkout deadline, connection refused, ...).
    public static func databaseUnavailable(_ reason: String) -> APIError {
        APIError(.serviceUnavailable, code: "database_unavailable", message: "the database is unavailable: \(reason)")
    }

    /// The JSON body.
    public var body: [UInt8] {
        var out = JSONWriter()
        out.object { o in
            o.key("error")
            o.object { e in
                e.field("code", code)
                e.field("message", message)
            }
        }
        return out.bytes
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

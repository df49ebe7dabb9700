import Foundation
import Hummingbird
import Logging

/// Turns whatever a route throws into the API's error body `{"error": {"code", "message"}}`: `APIError` as is,
/// Hummingbird's own errors (unmatched route, bad method) by status, anything else as a logged 500.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            switch error.status {
            case .notFound: throw APIError.routeNotFound
            case .methodNotAllowed:
                throw APIError(.methodNotAllowed, code: "method_not_allowed", message: "method not allowed here")
            default:
                throw APIError(error.status, code: error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"),
                               message: error.body ?? error.status.reasonPhrase)
            }
        } catch is CancellationError {
            throw APIError(.serviceUnavailable, code: "cancelled", message: "the request was cancelled")
        } catch {
            context.logger.error("request failed", metadata: [
                "path": "\(request.uri.path)", "error": "\(String(reflecting: error))",
            ])
            throw APIError.internalError
        }
    }
}

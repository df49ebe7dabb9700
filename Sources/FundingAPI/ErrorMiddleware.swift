import Foundation
import Hummingbird
import Logging

/// Turns whatever a route throws into the API's error body `{"error": {"code", "message"}}`: `APIError` as is,
/// Hummingbird's own errors by status, anything else as a logged 500. A path that exists with other methods is a
/// 405 with `Allow` (Hummingbird itself answers 404 for it).
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable?

    public init(routes: RouteTable? = nil) {
        self.routes = routes
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                let allowed = routes?.methods(matching: request.uri.path) ?? []
                guard !allowed.isEmpty else { throw APIError.routeNotFound }
                throw APIError(.methodNotAllowed, code: "method_not_allowed",
                               message: "\(request.method.rawValue) is not allowed here; allowed: "
                                   + allowed.joined(separator: ", "),
                               headers: [.allow: allowed.joined(separator: ", ")])
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

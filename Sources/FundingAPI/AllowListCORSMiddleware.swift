import Hummingbird
import NIOCore

/// CORS for the origins of `FUNDINGD_HTTP_CORS_ORIGINS` (off when empty): a request whose `Origin` is listed (or
/// any origin when the list holds `*`) gets Hummingbird's `CORSMiddleware` treatment, preflight `OPTIONS` answered
/// with the allowed methods and headers; any other request passes through without CORS headers, so browsers on
/// other origins stay refused.
struct AllowListCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>
    let cors: CORSMiddleware<Context>

    init(origins: [String]) {
        self.origins = Set(origins)
        cors = CORSMiddleware(allowOrigin: origins.contains("*") ? .all : .originBased,
                              allowHeaders: [.accept, .authorization, .contentType, .origin],
                              allowMethods: [.get, .put, .options], maxAge: .seconds(600))
    }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains("*") || origins.contains(origin) else {
            return try await next(request, context)
        }
        return try await cors.handle(request, context: context, next: next)
    }
}

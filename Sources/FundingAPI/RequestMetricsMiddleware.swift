import Foundation
import Hummingbird

/// Records every request's count and latency by route (the route pattern, never the raw path) and status.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: APIMetrics

    public init(metrics: APIMetrics = .shared) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            let elapsed = ContinuousClock.now - start
            metrics.record(route: context.endpointPath ?? "unmatched", method: method, status: response.status.code,
                           seconds: Self.seconds(elapsed))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(route: context.endpointPath ?? "unmatched", method: method, status: status,
                           seconds: Self.seconds(ContinuousClock.now - start))
            throw error
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

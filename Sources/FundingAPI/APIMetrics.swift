import Foundation
import Metrics
import Prometheus
import Synchronization

/// The process's metrics: swift-metrics bootstrapped once with a Prometheus registry (what `GET /metrics` emits),
/// plus an in-memory per-route summary for `GET /api/v1/metrics`.
public final class APIMetrics: Sendable {
    /// The process-wide registry; the first access bootstraps swift-metrics with it (once per process, so tests
    /// that build several applications share it).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    public static let shared = APIMetrics()

    /// Per route and method: requests, responses ≥ 400, total and largest latency.
    public struct RouteSummary: Sendable {
        public var requests = 0
        public var errors = 0
        public var totalSeconds = 0.0
        public var maxSeconds = 0.0
    }

    private let routes = Mutex<[String: RouteSummary]>([:])
    /// Requests and their total seconds per wall-clock second, the last 60 seconds.
    private let recent = Mutex<[Int: (requests: Int, seconds: Double)]>([:])
    public let started = Date()

    init() {
        _ = Self.registry
    }

    func record(route: String, method: String, status: Int, seconds: Double) {
        Counter(label: "fundingd_http_requests_total",
                dimensions: [("route", route), ("method", method), ("status", String(status))]).increment()
        Metrics.Timer(label: "fundingd_http_request_duration_seconds", dimensions: [("route", route), ("method", method)])
            .recordNanoseconds(Int64(seconds * 1e9))
        let second = Int(Date().timeIntervalSince1970)
        recent.withLock { r in
            r[second, default: (0, 0)].requests += 1
            r[second, default: (0, 0)].seconds += seconds
            if r.count > 120 { r = r.filter { $0.key > second - 60 } }
        }
        routes.withLock { all in
            let key = method + " " + route
            var s = all[key] ?? RouteSummary()
            s.requests += 1
            if status >= 400 { s.errors += 1 }
            s.totalSeconds += seconds
            s.maxSeconds = max(s.maxSeconds, seconds)
            all[key] = s
        }
    }

    /// Requests answered in the last 60 seconds and their total duration (the document's `requests_per_minute` and
    /// `avg_response_time_ms`).
    public func lastMinute() -> (requests: Int, seconds: Double) {
        let now = Int(Date().timeIntervalSince1970)
        return recent.withLock { r in
            r.filter { $0.key > now - 60 }.values.reduce((0, 0.0)) { ($0.0 + $1.requests, $0.1 + $1.seconds) }
        }
    }

    public func routeSummaries() -> [String: RouteSummary] {
        routes.withLock { $0 }
    }

    /// The Prometheus text exposition of every metric of the process.
    public func prometheusText() -> [UInt8] {
        Self.registry.emitToBuffer()
    }
}

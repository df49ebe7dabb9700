import Foundation

/// The API's settings, filled by the composition root from configuration (`FUNDINGD_HTTP_HOST`, ...).
public struct APISettings: Sendable {
    /// Listen address (default 127.0.0.1).
    public var host = "127.0.0.1"
    /// Listen port (default 8000; 0 picks a free one).
    public var port = 8000
    /// Bearer token for `/api/v1/admin/*`; `nil` disables the admin routes (403).
    public var adminToken: String?
    /// `statement_timeout` of the reader pool's sessions, milliseconds.
    public var statementTimeoutMs = 5000
    /// `plan_cache_mode` of the reader pool's sessions. The hot routes are named prepared statements (parsed once
    /// per connection); `force_custom_plan` still plans each call with its parameter values, because a generic
    /// plan of the inlined `opportunities()` cannot fold its `param IS NULL OR ...` filters and is orders of
    /// magnitude slower at 5,000 markets.
    public var planCacheMode = "force_custom_plan"
    /// Connections in the reader pool.
    public var readerPoolSize = 8
    /// Frames a WebSocket client may have queued before it is dropped as too slow.
    public var webSocketQueueSize = 256
    /// Bytes of frames a WebSocket client may have queued before it is dropped as too slow (8 MiB).
    public var webSocketQueueBytes = 8 << 20
    /// How long one frame's write may wait on a client's full socket before the client is dropped.
    public var webSocketWriteTimeout = Duration.seconds(10)
    /// Ping interval for WebSocket keepalive; a client that does not answer is disconnected.
    public var webSocketPingSeconds = 30
    /// How often subscribed leaderboards are re-ranked; a board is pushed only when it changed.
    public var leaderboardPushInterval = Duration.seconds(5)
    /// How long a read route's response is reused when no ingest cycle or fee change came in between
    /// (`ResponseCache`); zero turns the cache off.
    public var responseCacheTTL = Duration.seconds(1)
    /// How long a call may wait for a pooled database connection before answering 503 (`database_unavailable`).
    public var databaseCheckoutTimeout = Duration.seconds(1)
    /// After a call found the database away, how long further calls fail at once before one probes again.
    public var databaseCircuitOpen = Duration.seconds(2)
    /// A connection with no request in progress for this long is closed (also one that never sends a request).
    public var httpIdleTimeout = Duration.seconds(60)
    /// A request must be answered (its head and body received and the answer started) within this long of its first
    /// byte, else 408 and the connection closes. Above the statement timeout plus the checkout deadline.
    public var httpRequestTimeout = Duration.seconds(15)
    /// Origins allowed by CORS (`*` for any); empty turns CORS off.
    public var corsOrigins: [String] = []
    /// Where the OpenAPI document is read from (`docs/openapi.json` of the installation).
    public var openAPIPath: String?
    /// The dashboard's folder served at `/` (`WebUI`); nil serves the API only (`FUNDINGD_HTTP_UI=off`).
    public var webRoot: String?

    public init() {}
}

import FundingCore

/// Exponential backoff with full jitter for transient venue failures (timeouts, 429, 5xx, connection errors).
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1): a uniform draw in
    /// `[0, min(maxDelay, baseDelay × 2^(attempt−1))]`, or the venue's `Retry-After` when it sent one (capped).
    public func delay(afterAttempt attempt: Int, retryAfterSeconds: Double? = nil) -> Duration {
        if let seconds = retryAfterSeconds, seconds >= 0 {
            return min(.milliseconds(Int64(seconds * 1000)), maxDelay)
        }
        let ceiling = min(maxDelay, baseDelay * (1 << min(attempt - 1, 20)))
        let ms = ceiling.wholeMilliseconds
        return .milliseconds(Int64.random(in: 0...max(ms, 0)))
    }
}

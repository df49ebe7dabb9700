import Foundation
import FundingCore

/// Exponential backoff with full jitter for transient failures (venue timeouts, 429, 5xx, connection errors; the
/// writer's database retries).
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
    /// `[0, min(maxDelay, baseDelay × 2^(attempt−1))]`, or the venue's `Retry-After` when it sent a usable one.
    /// Never more than `maxDelay`, whatever the venue sent: the value is clamped as a `Double` before it becomes a
    /// `Duration` (a `Retry-After: 1e20` once crashed the process converting to `Int64`).
    public func delay(afterAttempt attempt: Int, retryAfterSeconds: Double? = nil) -> Duration {
        let cap = max(0, maxDelay.wholeMilliseconds)
        if let seconds = retryAfterSeconds, seconds.isFinite, seconds >= 0 {
            return .milliseconds(Int64(min(seconds * 1000, Double(cap))))
        }
        let exponent = min(max(attempt, 1), 21) - 1
        let ceiling = min(cap, max(0, baseDelay.wholeMilliseconds) << exponent)
        return .milliseconds(Int64.random(in: 0...ceiling))
    }
}

/// Reading a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// Seconds to wait, or nil when the value is not a usable delay: garbage, negative, non-finite, or more than a
    /// day away (a venue that means "a day" is down; the circuit breaker handles that, not a sleeping request).
    public static func seconds(_ value: String?, now: Date = Date()) -> Double? {
        guard let raw = value?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        let seconds: Double
        if raw.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: ".") }) {
            guard let value = Double(raw) else { return nil }
            seconds = value
        } else if let date = imfFixdate(raw) {
            seconds = max(0, date.timeIntervalSince(now))
        } else {
            return nil
        }
        guard seconds.isFinite, seconds >= 0, seconds <= 86_400 else { return nil }
        return seconds
    }

    /// IMF-fixdate, the only HTTP-date form a sender may generate (`Sun, 06 Nov 1994 08:49:37 GMT`). Parsed by
    /// hand: `DateFormatter` is not safe to share between threads, and an impossible date must not be normalised
    /// into another day.
    static func imfFixdate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int(parts[1]), parts[1].count == 2,
              let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                .firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), parts[3].count == 4 else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (0..<24).contains(hour), (0..<60).contains(minute), (0..<61).contains(second) else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        var t = timegm(&fields)
        var back = tm()
        gmtime_r(&t, &back)
        // 30 Feb comes back as 2 Mar: not a date.
        guard back.tm_mday == Int32(day), back.tm_mon == Int32(month) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(t))
    }
}

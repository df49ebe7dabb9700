import FundingCore
import Testing

@Suite("Duration in whole milliseconds")
struct DurationMillisecondsTests {
    @Test("seconds and sub-millisecond parts are counted, the remainder truncated")
    func wholeMilliseconds() {
        #expect(Duration.seconds(2).wholeMilliseconds == 2000)
        #expect(Duration.milliseconds(1500).wholeMilliseconds == 1500)
        #expect(Duration.microseconds(2999).wholeMilliseconds == 2)
        #expect((Duration.seconds(1) + .nanoseconds(999_999)).wholeMilliseconds == 1000)
        #expect(Duration.zero.wholeMilliseconds == 0)
    }
}

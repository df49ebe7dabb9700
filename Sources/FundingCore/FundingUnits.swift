/// The unit conversions of docs/units.md, in one place. Adapters convert a venue's quote into a fraction per
/// interval with these; nothing downstream converts again.
public enum FundingUnits {
    public static let hoursPerYear: Double = 8760

    /// Fraction per hour from a fraction per interval.
    public static func ratePerHour(_ rate: Double, intervalHours: Double) -> Double {
        rate / intervalHours
    }

    /// Annualised percent from a fraction per hour.
    public static func aprPercent(ratePerHour: Double) -> Double {
        ratePerHour * hoursPerYear * 100
    }

    /// A fraction per `intervalHours` from a percent per `intervalHours` (GRVT quotes percent).
    public static func fraction(fromPercent percent: Double) -> Double {
        percent / 100
    }

    /// The rate actually charged per `intervalHours` when a venue quotes an 8-hour-equivalent rate
    /// (Lighter quotes 8h-equivalent, pays hourly at 1/8 of it).
    public static func rate(from8hEquivalent rate8h: Double, intervalHours: Double) -> Double {
        rate8h / 8 * intervalHours
    }
}

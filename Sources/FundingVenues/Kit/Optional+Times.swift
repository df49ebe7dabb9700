extension Optional where Wrapped == Double {
    /// The product when both are present (`openInterest.times(markPrice)` = open interest in USD), else nil.
    func times(_ other: Double?) -> Double? {
        guard let self, let other else { return nil }
        return self * other
    }
}

import FaultlineCore
import Foundation

/// Fixed, locale-independent number formatting, so the same numbers give the same bytes
/// on every machine.
enum NumberText {
    static let notAvailable = "n/a"

    /// `x` with `digits` decimals; never "-0.0".
    static func fixed(_ x: Double, digits: Int) -> String {
        guard x.isFinite else { return notAvailable }
        let text = String(format: "%.\(digits)f", x)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }

    /// A rate in [0, 1] as a percentage: `0.1234` → `12.3%`.
    static func percent(_ rate: Double, digits: Int = 1) -> String {
        guard rate.isFinite else { return notAvailable }
        return fixed(rate * 100, digits: digits) + "%"
    }

    /// The 95% interval of a proportion: `5.2–25.3%`.
    static func interval(_ proportion: Proportion) -> String {
        guard proportion.low.isFinite, proportion.high.isFinite else { return notAvailable }
        return fixed(proportion.low * 100, digits: 1) + "–" + fixed(proportion.high * 100, digits: 1) + "%"
    }

    /// `45.0% (95% CI 30.1–60.2%, 18/40)`, or `no probes` for an empty proportion.
    static func proportion(_ proportion: Proportion) -> String {
        guard proportion.total > 0 else { return "no probes" }
        return "\(percent(proportion.rate)) (95% CI \(interval(proportion)), \(proportion.successes)/\(proportion.total))"
    }

    /// A graded score in [0, 1] with three decimals.
    static func score(_ x: Double) -> String { fixed(x, digits: 3) }

    /// A difference of two rates in percentage points, signed: `−32.1 pp`.
    static func percentagePoints(_ difference: Double) -> String {
        guard difference.isFinite else { return notAvailable }
        let magnitude = fixed(abs(difference) * 100, digits: 1)
        if magnitude.allSatisfy({ $0 == "0" || $0 == "." }) { return "0.0 pp" }
        return (difference < 0 ? "\u{2212}" : "+") + magnitude + " pp"
    }

    /// A p- or q-value: three significant digits, or `< 0.001`.
    static func probability(_ x: Double) -> String {
        guard x.isFinite else { return notAvailable }
        if x < 0.001 { return "< 0.001" }
        return String(format: "%.3g", x)
    }

    /// `p = 0.0123` or `p < 0.001`, for any name of a probability.
    static func probabilityClause(_ name: String, _ x: Double) -> String {
        let value = probability(x)
        return value.hasPrefix("<") ? "\(name) \(value)" : "\(name) = \(value)"
    }

    /// A duration: milliseconds below one second, seconds above.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return notAvailable }
        if seconds < 1 { return fixed(seconds * 1000, digits: seconds < 0.01 ? 2 : 1) + " ms" }
        return fixed(seconds, digits: 2) + " s"
    }

    /// A rate per second with one decimal (or two below 10).
    static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite else { return notAvailable }
        return fixed(perSecond, digits: perSecond < 10 ? 2 : 1)
    }
}

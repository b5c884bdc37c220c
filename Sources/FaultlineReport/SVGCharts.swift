import FaultlineCore
import Foundation

/// Colours chosen to stay distinguishable with the common colour-vision deficiencies.
enum Palette {
    /// Okabe–Ito, without its yellow, which is too pale for bars on white.
    private static let models = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]

    static func model(_ index: Int) -> String { models[index % models.count] }

    /// A red–white–blue ramp for accuracy (ColorBrewer RdBu): red is low, blue is high.
    private static let ramp: [(Double, Double, Double)] = [
        (0xB2, 0x18, 0x2B), (0xEF, 0x8A, 0x62), (0xF7, 0xF7, 0xF7), (0x67, 0xA9, 0xCF), (0x21, 0x66, 0xAC),
    ]

    /// The fill for an accuracy and a text colour that reads on it.
    static func heat(_ rate: Double) -> (fill: String, text: String) {
        let t = min(max(rate.isFinite ? rate : 0, 0), 1) * Double(ramp.count - 1)
        let lower = min(Int(t), ramp.count - 2)
        let f = t - Double(lower)
        let (r0, g0, b0) = ramp[lower], (r1, g1, b1) = ramp[lower + 1]
        let rgb = [r0 + (r1 - r0) * f, g0 + (g1 - g0) * f, b0 + (b1 - b0) * f].map { Int($0.rounded()) }
        let fill = "#" + rgb.map { hex2($0) }.joined()
        // Relative luminance (sRGB approximated by a 2.2 gamma) decides dark or light text.
        let luminance = zip(rgb, [0.2126, 0.7152, 0.0722]).reduce(0.0) { sum, pair in
            sum + pair.1 * pow(Double(pair.0) / 255, 2.2)
        }
        return (fill, luminance < 0.3 ? "#ffffff" : "#111111")
    }

    private static func hex2(_ value: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[(value >> 4) & 0xF], digits[value & 0xF]])
    }
}

/// Inline SVG charts. All text from data is escaped; coordinates are written with one
/// decimal so the same numbers give the same bytes.
enum SVGChart {
    private static func n(_ x: Double) -> String { NumberText.fixed(x, digits: 1) }
    private static func esc(_ text: String) -> String { HTMLText.escape(text) }

    /// Opens an `<svg>` that scales down to narrow screens but never past its natural width.
    private static func open(width: Double, height: Double, label: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "style=\"max-width:\(n(width))px\" role=\"img\" aria-label=\"\(esc(label))\"><title>\(esc(label))</title>"
    }

    /// A vertical or horizontal 95% interval whisker with caps.
    private static func whisker(x1: Double, y1: Double, x2: Double, y2: Double, vertical: Bool) -> String {
        let cap = 4.0
        var out = "<g class=\"ci\"><line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\"/>"
        if vertical {
            out += "<line x1=\"\(n(x1 - cap))\" y1=\"\(n(y1))\" x2=\"\(n(x1 + cap))\" y2=\"\(n(y1))\"/>"
            out += "<line x1=\"\(n(x2 - cap))\" y1=\"\(n(y2))\" x2=\"\(n(x2 + cap))\" y2=\"\(n(y2))\"/>"
        } else {
            out += "<line x1=\"\(n(x1))\" y1=\"\(n(y1 - cap))\" x2=\"\(n(x1))\" y2=\"\(n(y1 + cap))\"/>"
            out += "<line x1=\"\(n(x2))\" y1=\"\(n(y2 - cap))\" x2=\"\(n(x2))\" y2=\"\(n(y2 + cap))\"/>"
        }
        return out + "</g>"
    }

    private static func clamp(_ x: Double) -> Double { x.isFinite ? min(max(x, 0), 1) : 0 }

    /// One horizontal bar per model: accuracy with its 95% interval.
    static func overallAccuracy(_ summaries: [ModelSummary], colourIndex: (String) -> Int) -> String {
        let labelWidth = 160.0, plotWidth = 360.0, rowHeight = 34.0, top = 28.0
        let width = labelWidth + plotWidth + 70, height = top + rowHeight * Double(summaries.count) + 8
        func x(_ rate: Double) -> Double { labelWidth + plotWidth * clamp(rate) }
        var out = open(width: width, height: height, label: "Accuracy per model with 95% confidence intervals")
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            out += "<line class=\"grid\" x1=\"\(n(x(tick)))\" y1=\"\(n(top - 6))\" x2=\"\(n(x(tick)))\" y2=\"\(n(height - 8))\"/>"
            out += "<text class=\"tick\" x=\"\(n(x(tick)))\" y=\"\(n(top - 10))\" text-anchor=\"middle\">\(Int(tick * 100))%</text>"
        }
        for (row, summary) in summaries.enumerated() {
            let y = top + rowHeight * Double(row)
            let accuracy = summary.accuracy
            out += "<text class=\"label\" x=\"\(n(labelWidth - 10))\" y=\"\(n(y + rowHeight / 2 + 4))\" text-anchor=\"end\">"
                + "<title>\(esc(summary.model))</title>\(HTMLText.escapeTruncated(summary.model, limit: 22))</text>"
            guard accuracy.total > 0 else {
                out += "<text class=\"tick\" x=\"\(n(x(0) + 6))\" y=\"\(n(y + rowHeight / 2 + 4))\">no probes</text>"
                continue
            }
            let colour = Palette.model(colourIndex(summary.model))
            out += "<rect x=\"\(n(x(0)))\" y=\"\(n(y + 7))\" width=\"\(n(x(accuracy.rate) - x(0)))\" height=\"\(n(rowHeight - 14))\" "
                + "fill=\"\(colour)\"><title>\(esc(summary.model)): \(esc(NumberText.proportion(accuracy)))</title></rect>"
            out += whisker(
                x1: x(accuracy.low), y1: y + rowHeight / 2, x2: x(accuracy.high), y2: y + rowHeight / 2, vertical: false)
            out += "<text class=\"value\" x=\"\(n(x(accuracy.high) + 8))\" y=\"\(n(y + rowHeight / 2 + 4))\">"
                + "\(NumberText.percent(accuracy.rate))</text>"
        }
        return out + "</svg>"
    }

    private struct FactorLayout {
        var barWidth, barGap, groupGap, groupWidth, left, width: Double

        init(levels: Int, models: Int) {
            let modelCount = Double(max(models, 1))
            barWidth = models <= 3 ? 24 : 16
            barGap = 3
            groupGap = 22
            groupWidth = modelCount * barWidth + (modelCount - 1) * barGap
            left = 46
            width = max(left + Double(levels) * (groupWidth + groupGap) + groupGap, 300)
        }
    }

    /// The natural width of a factor chart, so the page can give a wide one a whole row.
    static func factorChartWidth(levels: Int, models: Int) -> Double {
        FactorLayout(levels: levels, models: models).width
    }

    /// Grouped bars: for each level of a factor, one bar per model, with 95% intervals.
    static func factorAccuracy(_ factor: ReportContent.FactorTable, models: [String], colourIndex: (String) -> Int) -> String {
        let layout = FactorLayout(levels: factor.levels.count, models: models.count)
        let barWidth = layout.barWidth, barGap = layout.barGap, groupGap = layout.groupGap
        let groupWidth = layout.groupWidth, left = layout.left, width = layout.width
        let top = 22.0, plotHeight = 170.0, bottom = 40.0
        let height = top + plotHeight + bottom
        func y(_ rate: Double) -> Double { top + plotHeight * (1 - clamp(rate)) }

        var out = open(width: width, height: height, label: "Accuracy by \(factor.name), per model, with 95% confidence intervals")
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            out += "<line class=\"grid\" x1=\"\(n(left))\" y1=\"\(n(y(tick)))\" x2=\"\(n(width - 6))\" y2=\"\(n(y(tick)))\"/>"
            out += "<text class=\"tick\" x=\"\(n(left - 6))\" y=\"\(n(y(tick) + 4))\" text-anchor=\"end\">\(Int(tick * 100))%</text>"
        }
        let labelLimit = max(Int((groupWidth + groupGap) / 6.5), 4)
        for (index, level) in factor.levels.enumerated() {
            let groupX = left + groupGap + Double(index) * (groupWidth + groupGap)
            for (slot, model) in models.enumerated() {
                let barX = groupX + Double(slot) * (barWidth + barGap)
                let centre = barX + barWidth / 2
                guard let stat = factor.stats[level]?[model], stat.accuracy.total > 0 else {
                    out += "<text class=\"tick\" x=\"\(n(centre))\" y=\"\(n(y(0) - 4))\" text-anchor=\"middle\">"
                        + "<title>\(esc(model)), \(esc(factor.name)) = \(esc(level)): no probes</title>–</text>"
                    continue
                }
                let accuracy = stat.accuracy
                out += "<rect x=\"\(n(barX))\" y=\"\(n(y(accuracy.rate)))\" width=\"\(n(barWidth))\" "
                    + "height=\"\(n(y(0) - y(accuracy.rate)))\" fill=\"\(Palette.model(colourIndex(model)))\">"
                    + "<title>\(esc(model)), \(esc(factor.name)) = \(esc(level)): \(esc(NumberText.proportion(accuracy)))</title></rect>"
                out += whisker(x1: centre, y1: y(accuracy.high), x2: centre, y2: y(accuracy.low), vertical: true)
                if barWidth >= 20 {
                    out += "<text class=\"value small\" x=\"\(n(centre))\" y=\"\(n(y(accuracy.high) - 5))\" text-anchor=\"middle\">"
                        + "\(NumberText.fixed(clamp(accuracy.rate) * 100, digits: 0))</text>"
                }
            }
            out += "<text class=\"label\" x=\"\(n(groupX + groupWidth / 2))\" y=\"\(n(y(0) + 18))\" text-anchor=\"middle\">"
                + "<title>\(esc(factor.name)) = \(esc(level))</title>\(HTMLText.escapeTruncated(level, limit: labelLimit))</text>"
        }
        out += "<text class=\"axis\" x=\"\(n(left + (width - left) / 2))\" y=\"\(n(height - 4))\" text-anchor=\"middle\">"
            + "\(HTMLText.escapeTruncated(factor.name, limit: 60))</text>"
        return out + "</svg>"
    }

    /// A grid of accuracy per pair of levels for one model; the cells of `outlined` get a frame.
    static func heatMap(
        _ choice: ReportContent.HeatMapChoice, model: String, outlined: Finding?
    ) -> String {
        let cellWidth = 74.0, cellHeight = 44.0, labelWidth = 112.0, top = 46.0
        let width = labelWidth + cellWidth * Double(choice.columnLevels.count) + 8
        let height = top + cellHeight * Double(choice.rowLevels.count) + 8
        let cells = choice.cells[model] ?? [:]
        var out = open(
            width: width, height: height,
            label: "Accuracy of \(model) by \(choice.rowFactor) (rows) and \(choice.columnFactor) (columns)")
        out += "<text class=\"axis\" x=\"\(n(labelWidth + cellWidth * Double(choice.columnLevels.count) / 2))\" y=\"14\" "
            + "text-anchor=\"middle\">\(HTMLText.escapeTruncated(choice.columnFactor, limit: 40)) →</text>"
        out += "<text class=\"axis\" x=\"\(n(labelWidth - 8))\" y=\"\(n(top - 8))\" text-anchor=\"end\">"
            + "\(HTMLText.escapeTruncated(choice.rowFactor, limit: 16)) ↓</text>"
        for (column, level) in choice.columnLevels.enumerated() {
            out += "<text class=\"label\" x=\"\(n(labelWidth + cellWidth * (Double(column) + 0.5)))\" y=\"\(n(top - 8))\" "
                + "text-anchor=\"middle\"><title>\(esc(choice.columnFactor)) = \(esc(level))</title>"
                + "\(HTMLText.escapeTruncated(level, limit: 11))</text>"
        }
        var frames = ""
        for (row, rowLevel) in choice.rowLevels.enumerated() {
            let y = top + cellHeight * Double(row)
            out += "<text class=\"label\" x=\"\(n(labelWidth - 8))\" y=\"\(n(y + cellHeight / 2 + 4))\" text-anchor=\"end\">"
                + "<title>\(esc(choice.rowFactor)) = \(esc(rowLevel))</title>\(HTMLText.escapeTruncated(rowLevel, limit: 16))</text>"
            for (column, columnLevel) in choice.columnLevels.enumerated() {
                let x = labelWidth + cellWidth * Double(column)
                let cellName = "\(esc(choice.rowFactor)) = \(esc(rowLevel)), \(esc(choice.columnFactor)) = \(esc(columnLevel))"
                guard let stat = cells[.init(row: rowLevel, column: columnLevel)], stat.accuracy.total > 0 else {
                    out += "<rect class=\"empty\" x=\"\(n(x + 1))\" y=\"\(n(y + 1))\" width=\"\(n(cellWidth - 2))\" "
                        + "height=\"\(n(cellHeight - 2))\"><title>\(cellName): no probes</title></rect>"
                    out += "<text class=\"tick\" x=\"\(n(x + cellWidth / 2))\" y=\"\(n(y + cellHeight / 2 + 4))\" "
                        + "text-anchor=\"middle\">—</text>"
                    continue
                }
                let (fill, ink) = Palette.heat(stat.accuracy.rate)
                out += "<rect x=\"\(n(x + 1))\" y=\"\(n(y + 1))\" width=\"\(n(cellWidth - 2))\" height=\"\(n(cellHeight - 2))\" "
                    + "fill=\"\(fill)\"><title>\(esc(model)), \(cellName): \(esc(NumberText.proportion(stat.accuracy)))</title></rect>"
                out += "<text class=\"cell\" x=\"\(n(x + cellWidth / 2))\" y=\"\(n(y + cellHeight / 2))\" text-anchor=\"middle\" "
                    + "style=\"fill:\(ink)\">\(NumberText.percent(stat.accuracy.rate, digits: 0))</text>"
                out += "<text class=\"cell-n\" x=\"\(n(x + cellWidth / 2))\" y=\"\(n(y + cellHeight / 2 + 13))\" "
                    + "text-anchor=\"middle\" style=\"fill:\(ink)\">n=\(stat.accuracy.total)</text>"
                if let outlined, outlined.model == model,
                    outlined.slice.allSatisfy({ stat.slice[$0.key] == $0.value })
                {
                    frames += "<rect class=\"outline\" x=\"\(n(x + 2))\" y=\"\(n(y + 2))\" width=\"\(n(cellWidth - 4))\" "
                        + "height=\"\(n(cellHeight - 4))\"/>"
                }
            }
        }
        // Frames last, so that neighbouring cells do not paint over them.
        return out + frames + "</svg>"
    }

    /// The colour ramp of the heat maps, with its scale.
    static func heatLegend() -> String {
        let width = 260.0, steps = 20
        var out = open(width: width + 40, height: 34, label: "Colour scale: accuracy from 0% (red) to 100% (blue)")
        let stepWidth = width / Double(steps)
        for step in 0..<steps {
            let (fill, _) = Palette.heat((Double(step) + 0.5) / Double(steps))
            out += "<rect x=\"\(n(20 + stepWidth * Double(step)))\" y=\"2\" width=\"\(n(stepWidth + 0.5))\" height=\"12\" fill=\"\(fill)\"/>"
        }
        for tick in [0, 50, 100] {
            out += "<text class=\"tick\" x=\"\(n(20 + width * Double(tick) / 100))\" y=\"28\" text-anchor=\"middle\">\(tick)%</text>"
        }
        return out + "</svg>"
    }

    /// Two bars, the slice and the rest of the model's probes, with 95% intervals.
    static func sliceVersusRest(_ finding: Finding) -> String {
        let labelWidth = 92.0, plotWidth = 340.0, rowHeight = 26.0, top = 20.0
        let width = labelWidth + plotWidth + 70, height = top + rowHeight * 2 + 6
        func x(_ rate: Double) -> Double { labelWidth + plotWidth * clamp(rate) }
        var out = open(
            width: width, height: height,
            label: "Accuracy in the slice and on the rest of the probes for finding \(finding.id)")
        for tick in stride(from: 0.0, through: 1.0, by: 0.5) {
            out += "<line class=\"grid\" x1=\"\(n(x(tick)))\" y1=\"\(n(top - 4))\" x2=\"\(n(x(tick)))\" y2=\"\(n(height - 4))\"/>"
            out += "<text class=\"tick\" x=\"\(n(x(tick)))\" y=\"\(n(top - 7))\" text-anchor=\"middle\">\(Int(tick * 100))%</text>"
        }
        let rows: [(String, Proportion, String)] = [
            ("this slice", finding.sliceAccuracy, "#D55E00"), ("the rest", finding.restAccuracy, "#8c959f"),
        ]
        for (row, (name, accuracy, colour)) in rows.enumerated() {
            let y = top + rowHeight * Double(row)
            out += "<text class=\"label\" x=\"\(n(labelWidth - 8))\" y=\"\(n(y + rowHeight / 2 + 4))\" text-anchor=\"end\">\(name)</text>"
            guard accuracy.total > 0 else { continue }
            out += "<rect x=\"\(n(x(0)))\" y=\"\(n(y + 5))\" width=\"\(n(x(accuracy.rate) - x(0)))\" height=\"\(n(rowHeight - 10))\" "
                + "fill=\"\(colour)\"><title>\(name): \(esc(NumberText.proportion(accuracy)))</title></rect>"
            out += whisker(x1: x(accuracy.low), y1: y + rowHeight / 2, x2: x(accuracy.high), y2: y + rowHeight / 2, vertical: false)
            out += "<text class=\"value\" x=\"\(n(x(accuracy.high) + 8))\" y=\"\(n(y + rowHeight / 2 + 4))\">"
                + "\(NumberText.percent(accuracy.rate))</text>"
        }
        return out + "</svg>"
    }
}

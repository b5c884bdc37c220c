import CCairo
import FaultlineCore
import Foundation

/// Bar, line and pie charts: a title, axes with ticks (bar and line), each value written on
/// its bar, point or slice, and each category named under its slot or in a legend.
enum ChartPainter {
    /// Bars, lines and points are drawn in this colour.
    static let seriesColour = NamedColour.blue
    /// Slice colours in order; neighbours differ strongly.
    static let sliceColours: [NamedColour] = [.blue, .orange, .green, .red, .purple, .brown, .yellow, .grey]
    static let axisColour = RGB(grey: 0.2)
    static let gridColour = RGB(grey: 0.82)
    static let tickTextColour = RGB(grey: 0.3)

    static func draw(_ chart: Chart, frame: CanvasFrame, cairo: OpaquePointer) {
        drawTitle(chart.title, frame: frame, cairo: cairo)
        guard !chart.values.isEmpty else { return }
        switch chart.kind {
        case .bar, .line: drawAxesChart(chart, frame: frame, cairo: cairo)
        case .pie: drawPie(chart, frame: frame, cairo: cairo)
        }
    }

    private static func drawTitle(_ title: String, frame: CanvasFrame, cairo: OpaquePointer) {
        let size = ChartLayout.titlePixelSize(title, width: Int(frame.width), height: Int(frame.height))
        TextPainter.draw(
            title, x: frame.width / 2, centreY: ChartLayout.titleY * frame.height, size: size, bold: true,
            colour: .ink, cairo: cairo)
    }

    /// The font size for value labels: the preferred size unless the widest value would
    /// not fit its slot.
    private static func valueTextSize(_ chart: Chart, frame: CanvasFrame) -> Double {
        let sizes = chart.values.map {
            ChartLayout.slotTextSize(String($0), count: chart.values.count, width: Int(frame.width), height: Int(frame.height))
        }
        return (sizes.min() ?? ChartLayout.labelSize) * frame.side
    }

    private static func drawAxesChart(_ chart: Chart, frame: CanvasFrame, cairo: OpaquePointer) {
        let left = ChartLayout.plotLeft * frame.width, right = ChartLayout.plotRight * frame.width
        let top = ChartLayout.plotTop * frame.height, bottom = ChartLayout.plotBottom * frame.height
        // Line charts keep headroom above the highest point for its label.
        let axis = ChartLayout.valueAxis(chart.values, headroom: chart.kind == .line ? 0.15 : 0)
        func y(_ value: Int) -> Double { bottom - Double(value) / Double(axis.maximum) * (bottom - top) }

        // Grid lines and tick labels.
        let thin = frame.lineWidth(0.003)
        cairo_set_line_width(cairo, thin)
        gridColour.set(on: cairo)
        for tick in stride(from: axis.step, through: axis.maximum, by: axis.step) {
            let lineY = frame.crisp(y(tick), lineWidth: thin)
            cairo_move_to(cairo, left, lineY)
            cairo_line_to(cairo, right, lineY)
        }
        cairo_stroke(cairo)
        let tickSize = ChartLayout.tickSize * frame.side
        for tick in stride(from: 0, through: axis.maximum, by: axis.step) {
            TextPainter.draw(
                String(tick), x: left - 0.3 * tickSize, centreY: y(tick), size: tickSize, alignment: .right,
                colour: tickTextColour, cairo: cairo)
        }

        let count = chart.values.count
        let slot = (right - left) / Double(count)
        let series = RGB(seriesColour)
        let valueSize = valueTextSize(chart, frame: frame)
        switch chart.kind {
        case .bar:
            let barWidth = ChartLayout.barFill * slot
            for (index, value) in chart.values.enumerated() {
                let centre = ChartLayout.slotCentre(index, of: count) * frame.width
                let barTop = y(value)
                cairo_rectangle(cairo, centre - barWidth / 2, barTop, barWidth, bottom - barTop)
                series.set(on: cairo)
                cairo_fill_preserve(cairo)
                RGB.outline.set(on: cairo)
                cairo_set_line_width(cairo, thin)
                cairo_stroke(cairo)
                TextPainter.draw(
                    String(value), x: centre, centreY: barTop - 0.75 * valueSize, size: valueSize, colour: .ink,
                    cairo: cairo)
            }
        case .line:
            let points = chart.values.enumerated().map { index, value in
                (x: ChartLayout.slotCentre(index, of: count) * frame.width, y: y(value))
            }
            series.set(on: cairo)
            cairo_set_line_width(cairo, frame.lineWidth(0.009))
            cairo_set_line_join(cairo, CAIRO_LINE_JOIN_ROUND)
            for (index, point) in points.enumerated() {
                if index == 0 { cairo_move_to(cairo, point.x, point.y) } else { cairo_line_to(cairo, point.x, point.y) }
            }
            cairo_stroke(cairo)
            let markerRadius = 0.016 * frame.side
            for point in points {
                cairo_new_sub_path(cairo)
                cairo_arc(cairo, point.x, point.y, markerRadius, 0, 2 * .pi)
                series.set(on: cairo)
                cairo_fill_preserve(cairo)
                RGB.white.set(on: cairo)
                cairo_set_line_width(cairo, thin)
                cairo_stroke(cairo)
            }
            for (index, value) in chart.values.enumerated() {
                let text = String(value)
                let centre = lineLabelCentre(
                    index: index, values: chart.values, points: points, textWidth: TextPainter.width(text, size: valueSize),
                    textHeight: valueSize, markerRadius: markerRadius, plotTop: top - 0.05 * frame.height, plotBottom: bottom,
                    plotLeft: left, plotRight: frame.width)
                TextPainter.draw(text, x: centre.x, centreY: centre.y, size: valueSize, colour: .ink, cairo: cairo)
            }
        case .pie:
            break
        }

        // Axes over the bars' feet.
        let axisWidth = frame.lineWidth(0.005)
        axisColour.set(on: cairo)
        cairo_set_line_width(cairo, axisWidth)
        let axisX = frame.crisp(left, lineWidth: axisWidth), axisY = frame.crisp(bottom, lineWidth: axisWidth)
        cairo_move_to(cairo, axisX, top - 0.02 * frame.height)
        cairo_line_to(cairo, axisX, axisY)
        cairo_line_to(cairo, right, axisY)
        cairo_stroke(cairo)

        let categorySize = ChartLayout.categoryTextSize(chart, width: Int(frame.width), height: Int(frame.height)) * frame.side
        for (index, label) in chart.labels.enumerated() {
            TextPainter.draw(
                label, x: ChartLayout.slotCentre(index, of: count) * frame.width,
                centreY: ChartLayout.categoryY * frame.height, size: categorySize, colour: .ink, cairo: cairo)
        }
    }

    /// Where a line chart's value label goes: the first of above, below, right and left of
    /// its point (above first unless the point is a dip) whose box stays clear of the line
    /// and inside the plot, else the candidate that crosses the line least.
    static func lineLabelCentre(
        index: Int, values: [Int], points: [(x: Double, y: Double)], textWidth: Double, textHeight: Double,
        markerRadius: Double, plotTop: Double, plotBottom: Double, plotLeft: Double, plotRight: Double
    ) -> (x: Double, y: Double) {
        let point = points[index]
        let neighbours = [index - 1, index + 1].filter { values.indices.contains($0) }.map { values[$0] }
        let isDip = !neighbours.isEmpty && neighbours.allSatisfy { $0 > values[index] }
        let vertical = markerRadius + 0.7 * textHeight
        let horizontal = markerRadius + 0.6 * textWidth + 0.15 * textHeight
        let above = (x: point.x, y: point.y - vertical), below = (x: point.x, y: point.y + vertical)
        let candidates = (isDip ? [below, above] : [above, below])
            + [(x: point.x + horizontal, y: point.y), (x: point.x - horizontal, y: point.y)]
        let halfWidth = textWidth / 2 + 1, halfHeight = 0.45 * textHeight
        func crossings(_ centre: (x: Double, y: Double)) -> Int {
            // Sample the line densely and count samples inside the label's box.
            var count = 0
            for segment in 0..<max(0, points.count - 1) {
                let a = points[segment], b = points[segment + 1]
                for step in 0...40 {
                    let t = Double(step) / 40
                    let x = a.x + t * (b.x - a.x), y = a.y + t * (b.y - a.y)
                    if abs(x - centre.x) <= halfWidth, abs(y - centre.y) <= halfHeight { count += 1 }
                }
            }
            return count
        }
        func fits(_ centre: (x: Double, y: Double)) -> Bool {
            centre.y - halfHeight >= plotTop && centre.y + halfHeight <= plotBottom && centre.x - halfWidth >= plotLeft + 2
                && centre.x + halfWidth <= plotRight
        }
        if let clear = candidates.first(where: { fits($0) && crossings($0) == 0 }) { return clear }
        return candidates.filter(fits).min { crossings($0) < crossings($1) } ?? above
    }

    private static func drawPie(_ chart: Chart, frame: CanvasFrame, cairo: OpaquePointer) {
        let centreX = ChartLayout.pieCentreX * frame.width, centreY = ChartLayout.pieCentreY * frame.height
        let radius = ChartLayout.pieRadius * frame.side
        let total = Double(chart.values.reduce(0, +))
        let valueSize = ChartLayout.labelSize * frame.side
        var start = -Double.pi / 2
        var slices: [(start: Double, sweep: Double)] = []
        for (index, value) in chart.values.enumerated() {
            let sweep = Double(value) / total * 2 * .pi
            slices.append((start, sweep))
            if sweep > 0 {
                cairo_move_to(cairo, centreX, centreY)
                cairo_arc(cairo, centreX, centreY, radius, start, start + sweep)
                cairo_close_path(cairo)
                RGB(sliceColours[index % sliceColours.count]).set(on: cairo)
                cairo_fill_preserve(cairo)
                RGB.white.set(on: cairo)
                cairo_set_line_width(cairo, frame.lineWidth(0.006))
                cairo_set_line_join(cairo, CAIRO_LINE_JOIN_ROUND)
                cairo_stroke(cairo)
            }
            start += sweep
        }
        for (index, value) in chart.values.enumerated() {
            let text = String(value)
            let middle = slices[index].start + slices[index].sweep / 2
            let textWidth = TextPainter.width(text, size: valueSize)
            // Inside when the slice is wide enough at 62 % of the radius, else just outside.
            let inside = slices[index].sweep >= 0.45 && slices[index].sweep * 0.62 * radius >= 1.3 * textWidth
            let distance = inside ? 0.62 * radius : radius + 0.55 * valueSize + 0.5 * textWidth
            var x = centreX + distance * cos(middle), y = centreY + distance * sin(middle)
            x = min(max(x, textWidth / 2 + 2), frame.width - textWidth / 2 - 2)
            y = min(max(y, valueSize), frame.height - valueSize)
            let colour = inside ? RGB(sliceColours[index % sliceColours.count]).contrastingText : RGB.ink
            TextPainter.draw(text, x: x, centreY: y, size: valueSize, colour: colour, cairo: cairo)
        }

        // Legend: a swatch and the category for each slice, centred beside the pie.
        let swatch = ChartLayout.legendSwatch * frame.side
        let textSize = ChartLayout.categoryTextSize(chart, width: Int(frame.width), height: Int(frame.height)) * frame.side
        for (index, label) in chart.labels.enumerated() {
            let rowY = ChartLayout.legendRowY(index, of: chart.labels.count) * frame.height
            let x = ChartLayout.legendX * frame.width
            cairo_rectangle(cairo, x, rowY - swatch / 2, swatch, swatch)
            RGB(sliceColours[index % sliceColours.count]).set(on: cairo)
            cairo_fill_preserve(cairo)
            RGB.outline.set(on: cairo)
            cairo_set_line_width(cairo, frame.lineWidth(0.003))
            cairo_stroke(cairo)
            TextPainter.draw(
                label, x: x + swatch + ChartLayout.legendGap * frame.side, centreY: rowY, size: textSize,
                alignment: .left, colour: .ink, cairo: cairo)
        }
    }
}

/// Tables: a white panel, a shaded bold header row, grid lines, words left-aligned and
/// numbers right-aligned.
enum TablePainter {
    static func draw(_ table: DataTable, frame: CanvasFrame, cairo: OpaquePointer) {
        let grid = TableGrid(table: table, frame: frame)
        let edges = grid.columnEdges, rowEdges = grid.rowEdges, lineWidth = grid.lineWidth
        let left = edges[0], right = edges[edges.count - 1]
        let top = rowEdges[0], bottom = rowEdges[rowEdges.count - 1]

        RGB(red: 0.995, green: 0.995, blue: 0.995).set(on: cairo)
        cairo_rectangle(cairo, left, top, right - left, bottom - top)
        cairo_fill(cairo)
        RGB(red: 0.85, green: 0.88, blue: 0.93).set(on: cairo)
        cairo_rectangle(cairo, left, top, right - left, rowEdges[1] - top)
        cairo_fill(cairo)

        RGB(grey: 0.3).set(on: cairo)
        cairo_set_line_width(cairo, lineWidth)
        for y in rowEdges {
            cairo_move_to(cairo, left, y)
            cairo_line_to(cairo, right, y)
        }
        for x in edges {
            cairo_move_to(cairo, x, top)
            cairo_line_to(cairo, x, bottom)
        }
        cairo_stroke(cairo)
        // A heavier rule under the header.
        cairo_set_line_width(cairo, 2 * lineWidth)
        cairo_move_to(cairo, left, rowEdges[1])
        cairo_line_to(cairo, right, rowEdges[1])
        cairo_stroke(cairo)

        let rows = [table.columns] + table.rows
        for (rowIndex, row) in rows.enumerated() {
            for (column, text) in row.enumerated() where column + 1 < edges.count {
                let isNumber = TableGrid.isNumber(text, row: rowIndex)
                let anchor = grid.textAnchor(row: rowIndex, column: column, isNumber: isNumber)
                TextPainter.draw(
                    text, x: anchor.x, centreY: anchor.centreY, size: grid.fontSize, bold: rowIndex == 0,
                    alignment: isNumber ? .right : .left, colour: .ink, cairo: cairo)
            }
        }
    }
}

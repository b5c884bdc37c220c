import Foundation

/// Where the parts of a chart go, in canvas fractions (font sizes in fractions of the
/// shorter side). The generator uses it to choose category words that fit, the validity
/// check to reject words that do not, and the renderer to draw.
enum ChartLayout {
    static let titleY = 0.075
    static let titleSize = 0.062
    /// The size of value labels, category labels and legend entries when they fit.
    static let labelSize = 0.05
    static let tickSize = SceneTypography.minimumLegibleSize

    // Bar and line charts.
    static let plotLeft = 0.15
    static let plotRight = 0.96
    static let plotTop = 0.21
    static let plotBottom = 0.80
    static let categoryY = 0.875
    /// A bar's width as a fraction of its category's slot.
    static let barFill = 0.62

    // Pie charts: the centre in canvas fractions, the radius in shorter-side units.
    static let pieCentreX = 0.34
    static let pieCentreY = 0.57
    static let pieRadius = 0.27
    static let legendX = 0.72
    static let legendRowHeight = 0.085
    static let legendSwatch = 0.04
    static let legendGap = 0.015

    /// The x centre of category `index` of `count` (bar and line charts).
    static func slotCentre(_ index: Int, of count: Int) -> Double {
        plotLeft + (Double(index) + 0.5) * (plotRight - plotLeft) / Double(count)
    }

    /// The font size at which `text` fits a category slot, at most `labelSize`.
    static func slotTextSize(_ text: String, count: Int, width: Int, height: Int) -> Double {
        let side = Double(min(width, height))
        let slot = (plotRight - plotLeft) * Double(width) / Double(max(count, 1))
        let advance = SceneTypography.extents(of: text).advance
        guard advance > 0 else { return labelSize }
        return min(labelSize, 0.92 * slot / (advance * side))
    }

    /// The title's font size in pixels: `titleSize` unless the title would be wider than 94%
    /// of the canvas.
    static func titlePixelSize(_ title: String, width: Int, height: Int) -> Double {
        let preferred = titleSize * Double(min(width, height))
        let titleWidth = SceneTypography.extents(of: title, bold: true).advance * preferred
        return titleWidth > 0.94 * Double(width) ? preferred * 0.94 * Double(width) / titleWidth : preferred
    }

    /// The y centre of legend row `index` of `count` (pie charts), in canvas fractions.
    static func legendRowY(_ index: Int, of count: Int) -> Double {
        pieCentreY + (Double(index) - Double(count - 1) / 2) * legendRowHeight
    }

    /// Where legend text starts (pie charts), right of its swatch, in canvas fractions.
    static func legendTextLeft(width: Int, height: Int) -> Double {
        legendX + (legendSwatch + legendGap) * Double(min(width, height)) / Double(width)
    }

    /// The font size at which `text` fits the pie chart's legend, at most `labelSize`.
    static func legendTextSize(_ text: String, width: Int, height: Int) -> Double {
        let side = Double(min(width, height))
        let room = (0.985 - legendX) * Double(width) - (legendSwatch + legendGap) * side
        let advance = SceneTypography.extents(of: text).advance
        guard advance > 0 else { return labelSize }
        return max(0, min(labelSize, room / (advance * side)))
    }

    /// The font size of every category label of a chart: the largest at which all fit.
    static func categoryTextSize(_ chart: Chart, width: Int, height: Int) -> Double {
        let sizes = chart.labels.map { label in
            chart.kind == .pie
                ? legendTextSize(label, width: width, height: height)
                : slotTextSize(label, count: chart.labels.count, width: width, height: height)
        }
        return sizes.min() ?? labelSize
    }

    /// The top of the value axis and the spacing of its ticks: a round number at or above
    /// the largest value plus `headroom` (a fraction of it), so nothing leaves the plot.
    static func valueAxis(_ values: [Int], headroom: Double = 0) -> (maximum: Int, step: Int) {
        let largest = max(1, Int((Double(values.max() ?? 1) * (1 + headroom)).rounded(.up)))
        var step = 1
        // Steps of 1, 2, 5, 10, 20, 50… giving at most six intervals.
        let multipliers = [1, 2, 5]
        var magnitude = 1
        search: while true {
            for multiplier in multipliers {
                step = multiplier * magnitude
                if (largest + step - 1) / step <= 6 { break search }
            }
            magnitude *= 10
        }
        return (((largest + step - 1) / step) * step, step)
    }
}

/// Where the cells of a table go: columns as wide as their widest text, rows of equal
/// height, the whole centred and shrunk (never below legible) to fit the canvas.
struct TableLayout {
    /// Font size as a fraction of the shorter side.
    let fontSize: Double
    /// Column widths and the row height as fractions of the canvas width and height.
    let columnWidths: [Double]
    let rowHeight: Double
    /// The top-left corner in canvas fractions.
    let originX: Double
    let originY: Double
    /// Horizontal padding inside a cell, in ems.
    static let padding = 0.45
    static let rowHeightEms = 1.8
    static let preferredSize = 0.056
    static let maximumExtent = 0.94

    var totalWidth: Double { columnWidths.reduce(0, +) }

    init(table: DataTable, width: Int, height: Int) {
        let side = Double(min(width, height))
        let columnEms = table.columns.indices.map { column in
            var widest = SceneTypography.extents(of: table.columns[column], bold: true).advance
            for row in table.rows where column < row.count {
                widest = max(widest, SceneTypography.extents(of: row[column]).advance)
            }
            return widest + 2 * Self.padding
        }
        let totalEms = max(columnEms.reduce(0, +), 1)
        let rowCount = Double(table.rows.count + 1)
        let size = min(
            Self.preferredSize, Self.maximumExtent * Double(width) / (totalEms * side),
            Self.maximumExtent * Double(height) / (rowCount * Self.rowHeightEms * side))
        fontSize = size
        columnWidths = columnEms.map { $0 * size * side / Double(width) }
        rowHeight = Self.rowHeightEms * size * side / Double(height)
        originX = (1 - columnWidths.reduce(0, +)) / 2
        originY = (1 - rowHeight * rowCount) / 2
    }
}

/// A table's grid as drawn on a canvas: pixel-crisp column and row edges, and where each
/// cell's text is anchored. The painter draws from it and `Scene.writtenWords()` reads the
/// same anchors, so a word's recorded place is where its ink is.
struct TableGrid {
    let layout: TableLayout
    /// Column edges left to right and row edges top to bottom (the header row first), in pixels.
    let columnEdges: [Double]
    let rowEdges: [Double]
    /// The width of the grid's lines, in pixels.
    let lineWidth: Double
    /// The font size and the padding inside a cell, in pixels.
    let fontSize: Double
    let padding: Double

    init(table: DataTable, frame: CanvasFrame) {
        layout = TableLayout(table: table, width: Int(frame.width), height: Int(frame.height))
        fontSize = layout.fontSize * frame.side
        padding = TableLayout.padding * fontSize
        let lineWidth = frame.lineWidth(0.004)
        self.lineWidth = lineWidth
        let left = frame.crisp(layout.originX * frame.width, lineWidth: lineWidth)
        let top = frame.crisp(layout.originY * frame.height, lineWidth: lineWidth)
        var edges = [left]
        for width in layout.columnWidths { edges.append(edges[edges.count - 1] + width * frame.width) }
        columnEdges = edges.map { frame.crisp($0, lineWidth: lineWidth) }
        let rowHeight = layout.rowHeight * frame.height
        rowEdges = (0...(table.rows.count + 1)).map { frame.crisp(top + Double($0) * rowHeight, lineWidth: lineWidth) }
    }

    /// Whether a cell's text is drawn as a number: right-aligned, outside the header row.
    static func isNumber(_ text: String, row: Int) -> Bool { row > 0 && Int(text) != nil }

    /// Where the text of cell (`row`, `column`) is anchored, in pixels: its left end (words)
    /// or right end (numbers), and its vertical centre. Row 0 is the header.
    func textAnchor(row: Int, column: Int, isNumber: Bool) -> (x: Double, centreY: Double) {
        let x = isNumber ? columnEdges[column + 1] - padding : columnEdges[column] + padding
        return (x, (rowEdges[row] + rowEdges[row + 1]) / 2)
    }
}


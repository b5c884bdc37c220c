import Foundation

/// A piece of writing the renderer puts into a scene: its text, what it belongs to, and
/// where its box is centred.
public struct WrittenWord: Sendable, Hashable {
    /// What a piece of writing belongs to.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case objectLabel, sign, chartTitle, chartCategory, tableHeader, tableCell
    }

    public var text: String
    public var role: Role
    /// The centre of the text's box (advance width by line height), as fractions of the canvas.
    public var x: Double
    public var y: Double
    /// Font size as a fraction of the canvas's shorter side.
    public var size: Double

    public init(text: String, role: Role, x: Double, y: Double, size: Double) {
        self.text = text
        self.role = role
        self.x = x
        self.y = y
        self.size = size
    }
}

extension Scene {
    /// Every text with a letter in it that rendering this scene writes, where the renderer
    /// puts it: object labels, signs, a chart's title and category names, a table's headers
    /// and word cells. Numbers alone — chart values, axis ticks, numeric table cells — are
    /// left out: they are drawn where the painters decide case by case (a line chart's value
    /// dodges the line), and whoever needs where words are written does not need them.
    ///
    /// Positions follow the layouts the painters draw with (a table's from the same grid as
    /// its painter); table and legend text is placed by its advance width, so a centre may sit
    /// a pixel off the drawn ink.
    public func writtenWords() -> [WrittenWord] {
        var words: [WrittenWord] = []
        for object in objects {
            guard let label = object.label, let centre = labelCentre(of: object) else { continue }
            words.append(WrittenWord(text: label, role: .objectLabel, x: centre.x, y: centre.y, size: SceneTypography.objectLabelSize(label, shape: object.shape, size: object.size)))
        }
        for label in labels {
            words.append(WrittenWord(text: label.text, role: .sign, x: label.x, y: label.y, size: label.size))
        }
        if let chart { words += chartWords(chart) }
        if let table { words += tableWords(table) }
        return words.filter { $0.text.contains(where: \.isLetter) }
    }

    private func chartWords(_ chart: Chart) -> [WrittenWord] {
        let side = Double(min(width, height))
        let titleSize = ChartLayout.titlePixelSize(chart.title, width: width, height: height) / side
        var words = [WrittenWord(text: chart.title, role: .chartTitle, x: 0.5, y: ChartLayout.titleY, size: titleSize)]
        guard !chart.values.isEmpty else { return words }
        let size = ChartLayout.categoryTextSize(chart, width: width, height: height)
        for (index, label) in chart.labels.enumerated() {
            switch chart.kind {
            case .bar, .line:
                words.append(WrittenWord(
                    text: label, role: .chartCategory, x: ChartLayout.slotCentre(index, of: chart.labels.count),
                    y: ChartLayout.categoryY, size: size))
            case .pie:
                let left = ChartLayout.legendTextLeft(width: width, height: height)
                let advance = SceneTypography.extents(of: label).advance * size * side / Double(width)
                words.append(WrittenWord(
                    text: label, role: .chartCategory, x: left + advance / 2,
                    y: ChartLayout.legendRowY(index, of: chart.labels.count), size: size))
            }
        }
        return words
    }

    private func tableWords(_ table: DataTable) -> [WrittenWord] {
        let frame = CanvasFrame(width: width, height: height)
        let grid = TableGrid(table: table, frame: frame)
        var words: [WrittenWord] = []
        for (rowIndex, row) in ([table.columns] + table.rows).enumerated() {
            for (column, text) in row.enumerated() where column + 1 < grid.columnEdges.count {
                // Numbers are left out (see above).
                guard !TableGrid.isNumber(text, row: rowIndex) else { continue }
                let header = rowIndex == 0
                let anchor = grid.textAnchor(row: rowIndex, column: column, isNumber: false)
                let advance = SceneTypography.extents(of: text, bold: header).advance * grid.fontSize
                words.append(WrittenWord(
                    text: text, role: header ? .tableHeader : .tableCell, x: (anchor.x + advance / 2) / frame.width,
                    y: anchor.centreY / frame.height, size: grid.layout.fontSize))
            }
        }
        return words
    }
}

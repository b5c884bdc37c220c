import FaultlineCore
import Foundation

extension SceneGenerator {
    /// A bar, line or pie chart with a title and 3–6 labelled categories whose values are
    /// distinct whole numbers in 1...99, so that "which is largest" has one answer.
    public func chartScene(seed: UInt64) -> Scene {
        var rng = SeededGenerator(seed: seed, stream: Stream.chart)
        let kind = WorldRandom.element(configuration.chartKinds, &rng) ?? .bar
        var count = WorldRandom.integer(3...6, &rng)
        let theme = WorldRandom.element(SceneVocabulary.chartThemes, &rng) ?? SceneVocabulary.chartThemes[0]
        let width = configuration.width, height = configuration.height

        func fits(_ word: String, _ count: Int) -> Bool {
            let size =
                kind == .pie
                ? ChartLayout.legendTextSize(word, width: width, height: height)
                : ChartLayout.slotTextSize(word, count: count, width: width, height: height)
            return size >= SceneTypography.minimumLegibleSize
        }
        // Fewer categories leave wider slots; every theme has at least three short words.
        var candidates = theme.categories.filter { fits($0, count) }
        while candidates.count < count, count > 3 {
            count -= 1
            candidates = theme.categories.filter { fits($0, count) }
        }
        count = min(count, candidates.count)
        let labels: [String]
        if theme.sequential {
            let start = WorldRandom.integer(0...(candidates.count - count), &rng)
            labels = Array(candidates[start..<(start + count)])
        } else {
            labels = WorldRandom.sample(candidates, count: count, &rng)
        }
        let values = WorldRandom.sample(Array(1...99), count: count, &rng)
        let chart = Chart(kind: kind, title: theme.title, labels: labels, values: values)
        return Scene(
            width: width, height: height, background: structuredBackground(&rng), chart: chart, seed: seed)
    }

    /// A table of 3–5 rows and 2–4 columns under a header row: a key column of distinct
    /// words, then columns of words or of distinct whole numbers.
    public func tableScene(seed: UInt64) -> Scene {
        var rng = SeededGenerator(seed: seed, stream: Stream.table)
        let theme = WorldRandom.element(SceneVocabulary.tableThemes, &rng) ?? SceneVocabulary.tableThemes[0]
        let rowCount = WorldRandom.integer(3...5, &rng)
        let columnCount = WorldRandom.integer(2...min(4, theme.columns.count + 1), &rng)
        // Keep the theme's column order so that tables read naturally ("Name, Age, Town").
        let chosen = Set(WorldRandom.sample(Array(theme.columns.indices), count: columnCount - 1, &rng))
        var columns = theme.columns.indices.filter { chosen.contains($0) }.map { theme.columns[$0] }
        let keys = WorldRandom.sample(theme.keys, count: rowCount, &rng)
        var cells: [[String]] = columns.map { column in
            if let numbers = column.numbers {
                return WorldRandom.sample(Array(numbers), count: rowCount, &rng).map(String.init)
            }
            return (0..<rowCount).map { _ in WorldRandom.element(column.words, &rng) ?? "" }
        }
        var table = Self.assemble(keyHeader: theme.keyHeader, keys: keys, columns: columns, cells: cells)
        // Drop trailing columns until the table is legible on this canvas.
        while TableLayout(table: table, width: configuration.width, height: configuration.height).fontSize
            < SceneTypography.minimumLegibleSize, !columns.isEmpty
        {
            columns.removeLast()
            cells.removeLast()
            table = Self.assemble(keyHeader: theme.keyHeader, keys: keys, columns: columns, cells: cells)
        }
        return Scene(
            width: configuration.width, height: configuration.height, background: structuredBackground(&rng),
            table: table, seed: seed)
    }

    private static func assemble(
        keyHeader: String, keys: [String], columns: [SceneVocabulary.TableColumn], cells: [[String]]
    ) -> DataTable {
        DataTable(
            columns: [keyHeader] + columns.map(\.header),
            rows: keys.indices.map { row in [keys[row]] + cells.map { $0[row] } })
    }

    /// Charts and tables sit on a calm background: plain or gradient (when allowed), lightly tinted.
    private func structuredBackground(_ rng: inout SeededGenerator) -> Background {
        let calm = configuration.backgrounds.filter { $0 == .plain || $0 == .gradient }
        return Self.randomBackground(from: calm.isEmpty ? [.plain] : calm, rng: &rng)
    }
}

import FaultlineCore

/// "In the row where name is Ada, what is city?" — the row is found by its first column,
/// whose value must be unique.
public struct TableLookupTemplate: ComputedQuestionTemplate {
    public let id = "structured-data.table-lookup"
    public let ability = Ability.structuredData
    public let formats: [AnswerFormat] = [.freeText, .multipleChoice]
    public let sceneKind = QuestionSceneKind.table
    public let freeTextInstruction = "Answer with the cell's text only."

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        guard let table = scene.table, table.columns.count >= 2, Set(table.columns).count == table.columns.count
        else { return nil }
        var cells: [[String: String]] = []
        for row in table.rows where row.count == table.columns.count {
            for column in table.columns.dropFirst() {
                let subject = ["key-column": table.columns[0], "key": row[0], "column": column]
                if answer(for: subject, in: scene) != nil { cells.append(subject) }
            }
        }
        return QuestionRandom.pick(cells, rng: &rng)
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let keyColumn = subject["key-column"], let key = subject["key"], let column = subject["column"] else {
            return nil
        }
        return "In the row where \(keyColumn) is \(key), what is \(column)?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let table = scene.table, let keyColumn = subject["key-column"], table.columns.first == keyColumn,
            let key = subject["key"], let column = subject["column"],
            let columnIndex = table.columns.firstIndex(of: column), columnIndex > 0,
            table.columns.filter({ $0 == column }).count == 1
        else { return nil }
        let rows = table.rows.filter { $0.count == table.columns.count && $0[0] == key }
        guard rows.count == 1 else { return nil }
        let cell = rows[0][columnIndex]
        return cell.allSatisfy(\.isWhitespace) ? nil : cell
    }

    /// The column's other values first, then any other cell.
    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        guard let table = scene.table, let column = subject["column"].flatMap(table.columns.firstIndex(of:)) else {
            return DistractorPool()
        }
        let sameColumn = table.rows.compactMap { $0.indices.contains(column) ? $0[column] : nil }
        let anyCell = table.rows.flatMap { $0.dropFirst() }
        return DistractorPool(preferred: QuestionSupport.unique(sameColumn), fallback: QuestionSupport.unique(anyCell))
    }
}

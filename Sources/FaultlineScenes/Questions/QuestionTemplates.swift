import FaultlineCore

/// The registry of question templates. Adding a template means adding its file and one line
/// here.
public enum QuestionTemplates {
    /// Every template, grouped by ability in the order of `Ability.allCases`.
    public static let all: [any QuestionTemplate] = [
        CountObjectsTemplate(),
        CountShapeTemplate(),
        CountColouredShapeTemplate(),
        ObjectLabelTemplate(),
        SignTextTemplate(),
        RelatedObjectTemplate(),
        RelationCheckTemplate(),
        QuadrantTemplate(),
        BoundingBoxTemplate(),
        ColourTemplate(),
        SizeTemplate(),
        ShapeTemplate(),
        SizeComparisonTemplate(),
        SameColourTemplate(),
        PresentShapeTemplate(),
        ExistenceTemplate(),
        TextureTemplate(),
        ChartValueTemplate(),
        ChartExtremeTemplate(),
        ChartDifferenceTemplate(),
        TableLookupTemplate(),
    ]

    /// The template with identifier `id`, or nil.
    public static func template(id: String) -> (any QuestionTemplate)? { all.first { $0.id == id } }

    /// The templates of `ability` that can ask in at least one of `formats`.
    public static func templates(for ability: Ability, formats: Set<AnswerFormat>? = nil) -> [any QuestionTemplate] {
        all.filter { template in
            template.ability == ability && (formats.map { !$0.isDisjoint(with: template.formats) } ?? true)
        }
    }
}

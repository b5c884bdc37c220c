import FaultlineCore

/// Pieces several templates share: answer spellings, number distractors, and the geometry
/// that decides when a spatial statement is clearly true, clearly false, or borderline.
enum QuestionSupport {
    static let yes = "yes"
    static let no = "no"

    static func yesNo(_ value: Bool) -> String { value ? yes : no }

    /// Whole numbers within three of `value`, not negative and not `value` itself: wrong
    /// counts a careless look could give.
    static func nearbyNumbers(_ value: Int) -> [String] {
        (max(0, value - 3)...(value + 3)).filter { $0 != value }.map(String.init)
    }

    /// The kind of scene `scene` is, judged by what it holds.
    static func kind(of scene: Scene) -> QuestionSceneKind {
        if scene.chart != nil { return .chart }
        if scene.table != nil { return .table }
        return .objects
    }

    /// The empty space between two objects' boxes along the axis where it is larger
    /// (0 when the boxes overlap), as `Scene.relations` measures "next to".
    static func gap(between a: SceneObject, and b: SceneObject, in scene: Scene) -> Double {
        let boxA = scene.boundingBox(of: a)
        let boxB = scene.boundingBox(of: b)
        let gapX = max(0, max(boxA.minX, boxB.minX) - min(boxA.maxX, boxB.maxX))
        let gapY = max(0, max(boxA.minY, boxB.minY) - min(boxA.maxY, boxB.maxY))
        return max(gapX, gapY)
    }

    /// Objects at least this far apart are plainly not next to each other: twice the
    /// distance under which `Scene.relations` calls them next to each other, so no
    /// borderline pair is called either.
    static let farApart = 0.16

    /// Whether `a` stands in `relation` to `b`, as `Scene.relations` says.
    static func holds(_ relation: Relation, from a: SceneObject, to b: SceneObject, in scene: Scene) -> Bool {
        scene.relations(from: a, to: b).contains(relation)
    }

    /// Whether a statement "a is <relation> b" is clearly false, so that "no" is the only
    /// fair answer: the opposite direction holds with a clear gap, the objects are far
    /// apart, or their boxes do not meet at all.
    static func contradicts(_ relation: Relation, from a: SceneObject, to b: SceneObject, in scene: Scene) -> Bool {
        let relations = scene.relations(from: a, to: b)
        switch relation {
        case .leftOf: return relations.contains(.rightOf)
        case .rightOf: return relations.contains(.leftOf)
        case .above: return relations.contains(.below)
        case .below: return relations.contains(.above)
        case .nextTo: return gap(between: a, and: b, in: scene) >= farApart
        case .inside: return scene.boundingBox(of: a).iou(scene.boundingBox(of: b)) == 0
        }
    }

    /// Whether nobody would say `a` is <relation> `b`: for directions, `a`'s centre is not
    /// on that side of `b`'s centre. Looser than `contradicts`; used to check that an
    /// object holding a relation is the only candidate ("Which shape is left of…").
    static func plainlyNot(_ relation: Relation, from a: SceneObject, to b: SceneObject, in scene: Scene) -> Bool {
        switch relation {
        case .leftOf: return a.x >= b.x
        case .rightOf: return a.x <= b.x
        case .above: return a.y >= b.y
        case .below: return a.y <= b.y
        case .nextTo, .inside: return contradicts(relation, from: a, to: b, in: scene)
        }
    }

    /// The one object other than `reference` that stands in `relation` to it while every
    /// other object plainly does not; nil when there are none, several, or borderline ones.
    static func onlyObject(_ relation: Relation, to reference: SceneObject, in scene: Scene) -> SceneObject? {
        var holder: SceneObject?
        for object in scene.objects where object.id != reference.id {
            if holds(relation, from: object, to: reference, in: scene) {
                guard holder == nil else { return nil }
                holder = object
            } else if !plainlyNot(relation, from: object, to: reference, in: scene) {
                return nil
            }
        }
        return holder
    }

    /// The words for a relation inside a question: "left of", "inside", "next to".
    static func words(for relation: Relation) -> String { relation.rawValue }

    /// Distinct values in first-seen order.
    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// Whether `text` is one token without spaces, as "What word…" questions need.
    static func isSingleWord(_ text: String) -> Bool {
        !text.isEmpty && !text.contains(where: { $0.isWhitespace })
    }

    /// Common words of about the same length as each word of `text`, substituted one word at
    /// a time: near misses that a model reading sloppily might give.
    static func similarTexts(to text: String) -> [String] {
        let words = text.split(separator: " ").map(String.init)
        guard !words.isEmpty else { return [] }
        var result: [String] = []
        for (position, word) in words.enumerated() {
            for candidate in CommonWords.all where abs(candidate.count - word.count) <= 1 && candidate != word {
                var changed = words
                changed[position] = candidate
                result.append(changed.joined(separator: " "))
            }
        }
        return result
    }
}

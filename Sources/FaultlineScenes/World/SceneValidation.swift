import FaultlineCore
import Foundation

/// Something wrong with a scene graph: where it is and what is wrong.
public struct SceneProblem: Sendable, Hashable, CustomStringConvertible {
    /// The part of the scene at fault, e.g. `objects[id 3]`, `labels[0]`, `chart.values`.
    public var location: String
    /// What is wrong, and where it helps, what to do.
    public var message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

extension Scene {
    /// The accepted canvas sizes in pixels, for either side.
    public static let canvasSideRange = 16...4096
    /// The accepted font sizes of free-standing text, as fractions of the shorter side.
    public static let textLabelSizeRange: ClosedRange<Double> = SceneTypography.minimumLegibleSize...0.2
    /// The accepted number of chart categories.
    public static let chartCategoryRange = 2...8

    /// A free-standing text label's sign (the white rectangle behind it) in canvas fractions.
    public func boundingBox(of label: TextLabel) -> Box {
        let side = Double(min(width, height))
        let half = SceneTypography.signHalfExtents(label, side: side)
        let rx = half.halfWidth / Double(width), ry = half.halfHeight / Double(height)
        return Box(minX: label.x - rx, minY: label.y - ry, maxX: label.x + rx, maxY: label.y + ry)
    }

    /// The centre of the word written on `object`, in canvas fractions, where the renderer
    /// puts it: the centre of the shape's label area, turned with the object; nil without a label.
    public func labelCentre(of object: SceneObject) -> (x: Double, y: Double)? {
        guard object.label != nil else { return nil }
        let side = Double(min(width, height))
        let offset = ShapeGeometry.labelArea(of: object.shape).centreY * object.size.radiusFraction * side
        // The renderer turns the canvas by -rotation (counter-clockwise, y down).
        let angle = -object.rotation * .pi / 180
        return (object.x - offset * sin(angle) / Double(width), object.y + offset * cos(angle) / Double(height))
    }

    /// Whether `inner` is drawn wholly inside `container`'s shape (not just its bounding box):
    /// `inner` is smaller, and its circle fits inside the largest circle around the
    /// container's centre that lies within the container's outline. This is stricter than
    /// the `inside` relation, which it implies.
    public func isDrawnInside(_ inner: SceneObject, _ container: SceneObject) -> Bool {
        guard inner.size < container.size else { return false }
        let side = Double(min(width, height))
        // Distances in units of the shorter side, in which radii are given.
        let dx = (inner.x - container.x) * Double(width) / side
        let dy = (inner.y - container.y) * Double(height) / side
        let room =
            ShapeGeometry.inradius(of: container.shape) * container.size.radiusFraction - inner.size.radiusFraction
            - Self.insideClearance
        return room >= 0 && (dx * dx + dy * dy).squareRoot() <= room
    }

    /// Space kept between an inner object and its container's outline, in shorter-side units,
    /// so that both outlines stay visible.
    static let insideClearance = 0.006

    /// Every problem that makes the scene unfit to render and ask questions about: ids that
    /// repeat, objects or signs that leave the canvas or overlap (objects may overlap only
    /// when one is drawn inside the other in a different colour), labels too long to write
    /// legibly, and charts or tables with inconsistent data. An empty list means the scene
    /// is valid.
    public func validationProblems() -> [SceneProblem] {
        var problems: [SceneProblem] = []
        func problem(_ location: String, _ message: String) {
            problems.append(SceneProblem(location: location, message: message))
        }
        for (name, value) in [("width", width), ("height", height)] where !Self.canvasSideRange.contains(value) {
            problem(name, "\(value) px is outside \(Self.canvasSideRange.lowerBound)...\(Self.canvasSideRange.upperBound) px")
        }
        guard problems.isEmpty else { return problems }

        var seenIDs: Set<Int> = []
        for object in objects where !seenIDs.insert(object.id).inserted {
            problem("objects[id \(object.id)]", "the id \(object.id) is used by more than one object; ids must be unique")
        }
        let objectBoxes = objects.map { boundingBox(of: $0) }
        for (object, box) in zip(objects, objectBoxes) {
            let location = "objects[id \(object.id)]"
            if ![object.x, object.y, object.rotation].allSatisfy(\.isFinite) {
                problem(location, "position or rotation is not a finite number")
            } else if !Self.isInsideCanvas(box) {
                problem(location, "the \(object.size.rawValue) \(object.shape.rawValue) at (\(object.x), \(object.y)) reaches outside the canvas")
            }
            if let label = object.label {
                if label.trimmingCharacters(in: .whitespaces).isEmpty {
                    problem(location, "the label is empty; use nil for no label")
                } else if !SceneTypography.objectLabelFits(label, shape: object.shape, size: object.size) {
                    problem(location, "the label \"\(label)\" does not fit legibly on a \(object.size.rawValue) \(object.shape.rawValue); use a shorter word or a larger object")
                }
            }
        }
        for i in objects.indices {
            for j in objects.indices where j > i && Self.overlap(objectBoxes[i], objectBoxes[j]) {
                let a = objects[i], b = objects[j]
                let pair = "objects[id \(a.id)] and objects[id \(b.id)]"
                guard let (inner, container) = isDrawnInside(a, b) ? (a, b) : isDrawnInside(b, a) ? (b, a) : nil else {
                    problem(pair, "the objects overlap without one lying inside the other")
                    continue
                }
                if inner.colour == container.colour {
                    problem(pair, "object \(inner.id) lies inside object \(container.id) of the same colour (\(inner.colour.rawValue)), so it cannot be seen")
                }
                if container.label != nil {
                    problem(pair, "object \(inner.id) lies inside object \(container.id) and would cover its label")
                }
            }
        }

        let labelBoxes = labels.map { boundingBox(of: $0) }
        for (index, (label, box)) in zip(labels, labelBoxes).enumerated() {
            let location = "labels[\(index)]"
            if label.text.trimmingCharacters(in: .whitespaces).isEmpty {
                problem(location, "the text is empty")
            }
            if label.text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problem(location, "the text contains a control character; signs hold one line")
            }
            guard [label.x, label.y, label.size].allSatisfy(\.isFinite), Self.textLabelSizeRange.contains(label.size) else {
                problem(location, "size \(label.size) is outside \(Self.textLabelSizeRange.lowerBound)...\(Self.textLabelSizeRange.upperBound) of the shorter side (or a number is not finite)")
                continue
            }
            if !Self.isInsideCanvas(box) { problem(location, "the sign \"\(label.text)\" reaches outside the canvas") }
            for (object, objectBox) in zip(objects, objectBoxes) where Self.overlap(box, objectBox) {
                problem(location, "the sign \"\(label.text)\" covers object \(object.id)")
            }
            for other in labelBoxes.indices where other > index && Self.overlap(box, labelBoxes[other]) {
                problem(location, "the sign overlaps labels[\(other)]")
            }
        }

        if chart != nil || table != nil {
            if chart != nil, table != nil { problem("chart", "a scene holds a chart or a table, not both") }
            if !objects.isEmpty { problem("objects", "a chart or table scene has no objects (the chart fills the canvas)") }
            if !labels.isEmpty { problem("labels", "a chart or table scene has no signs (the chart fills the canvas)") }
        }
        if let chart {
            problems += Self.chartProblems(chart)
            if ChartLayout.categoryTextSize(chart, width: width, height: height) < SceneTypography.minimumLegibleSize {
                problem("chart.labels", "the category labels are too long to write legibly on this canvas; use shorter words or fewer categories")
            }
        }
        if let table {
            problems += Self.tableProblems(table)
            if problems.isEmpty,
                TableLayout(table: table, width: width, height: height).fontSize < SceneTypography.minimumLegibleSize
            {
                problem("table", "the table is too large to write legibly on this canvas; use fewer or shorter cells")
            }
        }
        return problems
    }

    /// Whether the scene has no validation problems.
    public var isValid: Bool { validationProblems().isEmpty }

    static func isInsideCanvas(_ box: Box) -> Bool {
        box.minX >= 0 && box.minY >= 0 && box.maxX <= 1 && box.maxY <= 1
    }

    /// Whether two boxes share area (touching edges do not count).
    static func overlap(_ a: Box, _ b: Box) -> Bool {
        a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY && b.minY < a.maxY
    }

    static func chartProblems(_ chart: Chart) -> [SceneProblem] {
        var problems: [SceneProblem] = []
        func problem(_ location: String, _ message: String) {
            problems.append(SceneProblem(location: location, message: message))
        }
        if chart.labels.count != chart.values.count {
            problem("chart.values", "\(chart.values.count) values for \(chart.labels.count) labels; give one value per label")
        }
        if !chartCategoryRange.contains(chart.labels.count) {
            problem(
                "chart.labels",
                "\(chart.labels.count) categories; use \(chartCategoryRange.lowerBound)...\(chartCategoryRange.upperBound)")
        }
        if chart.labels.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            problem("chart.labels", "a category label is empty")
        }
        if Set(chart.labels).count != chart.labels.count {
            problem("chart.labels", "category labels repeat, so a category cannot be named uniquely")
        }
        if chart.values.contains(where: { $0 < 0 || $0 > 1_000_000 }) {
            problem("chart.values", "values must be whole numbers in 0...1000000")
        }
        if chart.kind == .pie, chart.values.reduce(0, +) <= 0 {
            problem("chart.values", "a pie chart needs a positive total")
        }
        return problems
    }

    static func tableProblems(_ table: DataTable) -> [SceneProblem] {
        var problems: [SceneProblem] = []
        func problem(_ location: String, _ message: String) {
            problems.append(SceneProblem(location: location, message: message))
        }
        if !(1...8).contains(table.columns.count) {
            problem("table.columns", "\(table.columns.count) columns; use 1...8")
        }
        if !(1...12).contains(table.rows.count) {
            problem("table.rows", "\(table.rows.count) rows; use 1...12")
        }
        for (index, row) in table.rows.enumerated() where row.count != table.columns.count {
            problem("table.rows[\(index)]", "\(row.count) cells for \(table.columns.count) columns")
        }
        return problems
    }
}

import ArgumentParser
import FaultlineCore
import FaultlineDatasets
import FaultlineImageIO
import FaultlineModels
import FaultlineScenes
import FaultlineZoo
import Foundation

struct ZooEvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score zoo models on clean held-out scenes per ability and on the planted slices of a configuration.",
        discussion: """
            Every model sees the same examples: the clean held-out split and, for each plan of the configuration named by --slices-from, the slice that tests it (the cue present with another answer, the cue removed, answers in the hole, the misleading phrase or sentence, swapped captions). The planted model should be far worse than the references on its slices and close to them on the control. When a model has a text reader, the ability suite's OCR and structured-data probes are also answered end to end at 224 px ("ocr read at 224 px" and "structured-data read at 224 px" rows): the held-out rows score the answer network alone on its 128 px examples.

            Example:
              faultline zoo evaluate --model zoo:reference-a --model zoo:reference-b --model zoo:target
            """)

    @Option(name: .customLong("model"), help: ArgumentHelp("A zoo model (repeatable).", valueName: "key"))
    var models: [String] = []

    @Option(help: ArgumentHelp("The configuration whose plans define the slices.", valueName: "name-or-file"))
    var slicesFrom = "target"

    @Option(help: "Examples per slice and held-out examples.")
    var count = 300

    @Option(help: ArgumentHelp("Also write the figures as JSON to this file.", valueName: "path"))
    var json: String?

    @Option(help: ArgumentHelp(
        "Also score the models zero-shot on the first N questions of easy-VQA's test split whose answer is in their vocabulary (0: skip).",
        valueName: "N"))
    var easyVQA = 0

    @Flag(help: "Also break the held-out accuracy down by question template and answer format.")
    var byTemplate = false

    @Flag(help: "Also score the image encoder alone: how often its cell heads name the shape, colour (size, texture) of each held-out object.")
    var cells = false

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("Name at least one --model, e.g. --model zoo:target.") }
        guard count > 0 else { throw ValidationError("--count must be positive, got \(count).") }
    }

    struct Row: Encodable {
        var slice: String
        var model: String
        var correct: Int
        var total: Int
        var accuracy: Double
        var low: Double
        var high: Double
    }

    func run() async throws {
        let environment = BackendEnvironment()
        let zooModels: [ZooModel] = try models.map { key in
            guard let model = try BackendRegistry.standard.make(key, environment: environment) as? ZooModel else {
                throw ValidationError("\(key) is not a zoo model; zoo evaluate scores zoo:… models only")
            }
            return model
        }
        let (sliceConfiguration, _) = try ZooCatalog.configuration(slicesFrom)
        // Examples carry pixels at their configuration's size, which every model must read.
        for model in zooModels where model.checkpoint.configuration.data.imageSize != sliceConfiguration.data.imageSize {
            throw ValidationError(
                "\(model.key) reads \(model.checkpoint.configuration.data.imageSize)-px images, but the examples of --slices-from "
                    + "\(slicesFrom) are \(sliceConfiguration.data.imageSize) px; pass --slices-from with that model's own configuration")
        }
        let dataset = try ZooDataset(configuration: sliceConfiguration)
        let threads = ProcessInfo.processInfo.activeProcessorCount
        var rows: [Row] = []
        func add(_ slice: String, _ model: ZooModel, _ count: ZooEvaluation.Count) {
            let interval = Statistics.wilson(successes: count.correct, total: count.total)
            rows.append(Row(
                slice: slice, model: model.key, correct: count.correct, total: count.total, accuracy: count.accuracy,
                low: interval.low, high: interval.high))
        }

        let heldOut = try dataset.batch(.heldOut, start: 0, count: count, threads: threads)
        let evaluations = zooModels.map { $0.checkpoint.evaluate(heldOut) }
        for (model, evaluation) in zip(zooModels, evaluations) {
            add("held-out (all)", model, evaluation.overall)
            for ability in Ability.perception {
                if let counts = evaluation.perAbility[ability] { add("held-out \(ability.rawValue)", model, counts) }
            }
        }
        if byTemplate {
            let templates = Set(evaluations.flatMap(\.perTemplate.keys)).sorted()
            for template in templates {
                for (model, evaluation) in zip(zooModels, evaluations) {
                    if let counts = evaluation.perTemplate[template] { add("held-out \(template)", model, counts) }
                }
            }
        }
        if zooModels.contains(where: { $0.reader != nil }) { rows += try await readingRows(zooModels) }
        if cells {
            for model in zooModels {
                for (attribute, count) in model.checkpoint.cellAccuracy(heldOut) { add("cells \(attribute)", model, count) }
            }
        }
        for slice in dataset.evaluationSlices where slice.kind != .control {
            let examples = try dataset.batch(.evaluation(slice), start: 0, count: count, threads: threads)
            for model in zooModels {
                if slice.kind == .swappedCaption {
                    add(slice.name + " [true caption preferred]", model, model.checkpoint.captionBindingAccuracy(examples))
                } else {
                    add(slice.name, model, model.checkpoint.evaluate(examples).overall)
                }
            }
        }
        if easyVQA > 0 { rows += try await easyVQARows(zooModels) }
        print(Self.table(rows, models: zooModels.map(\.key)))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(rows).write(to: URL(fileURLWithPath: json))
        }
    }

    /// The seed of the probes `readingRows` asks (no audit's default).
    static let readingSeed: UInt64 = 0x6F63_725F_7265_6164

    /// The abilities whose questions are about written words, answered end to end by `readingRows`.
    static let readingAbilities: [Ability] = [.ocr, .structuredData]

    /// Reading end to end: the ability suite's OCR and structured-data probes (224 px images,
    /// as audits show them) answered by each model with its reader, per template and format.
    /// The held-out rows above score the answer network alone on 128 px examples, which no
    /// reader sees.
    private func readingRows(_ models: [ZooModel]) async throws -> [Row] {
        var rows: [Row] = []
        for ability in Self.readingAbilities { rows += try await readingRows(ability, models) }
        return rows
    }

    /// `ability`'s rows of `readingRows`: every model on the same probes.
    private func readingRows(_ ability: Ability, _ models: [ZooModel]) async throws -> [Row] {
        let suite = AbilitySuite(
            count: count, seed: Self.readingSeed,
            configuration: AbilitySuiteConfiguration(abilities: [ability], formats: ZooDataSettings.classifiableFormats))
        let samples = Array(suite.samples())
        var rows: [Row] = []
        for model in models {
            var counts: [String: ZooEvaluation.Count] = [:]
            for sample in samples {
                let probe = sample.probe
                let correct = try await Self.answersRight(model, sample)
                let template = probe.lineage.factors["template"] ?? "other"
                for key in ["all", "\(template) (\(probe.expected.format.rawValue))"] {
                    counts[key, default: .init()].total += 1
                    if correct { counts[key, default: .init()].correct += 1 }
                }
            }
            rows += Self.rows(counts, slicePrefix: "\(ability.rawValue) read at 224 px", model: model)
        }
        return rows
    }

    /// Whether `model` answers `sample` (one image) right, as an audit judges it.
    private static func answersRight(_ model: ZooModel, _ sample: ProbeSample) async throws -> Bool {
        let probe = sample.probe
        let image = try PNGCodec.decode(sample.imagePNGs[0])
        let response = try await model.answer(ModelRequest(probe: probe, images: [image], parameters: DecodingParameters()))
        return JudgeSelector.judge(for: probe).judge(response: response, expected: probe.expected).outcome == .correct
    }

    /// One row per key of `counts`, in key order, its slice "`slicePrefix` key".
    private static func rows(_ counts: [String: ZooEvaluation.Count], slicePrefix: String, model: ZooModel) -> [Row] {
        counts.sorted(by: { $0.key < $1.key }).map { key, count in
            let interval = Statistics.wilson(successes: count.correct, total: count.total)
            return Row(
                slice: "\(slicePrefix) \(key)", model: model.key, correct: count.correct, total: count.total,
                accuracy: count.accuracy, low: interval.low, high: interval.high)
        }
    }

    /// Zero-shot accuracy on easy-VQA's test images (64 px shapes the zoo never trained on),
    /// per question type (and for yes/no types per polarity), over the questions whose answer the model's vocabulary holds
    /// (easy-VQA's "gray", "black", "teal" and "rectangle" are not in it).
    private func easyVQARows(_ models: [ZooModel]) async throws -> [Row] {
        let directory = FaultlineHome.directory.appendingPathComponent("data/easy-vqa", isDirectory: true)
        let source = try EasyVQASource(directory: directory, split: .test)
        var rows: [Row] = []
        for model in models {
            var counts: [String: ZooEvaluation.Count] = [:]
            var uncovered = 0
            var used = 0
            for sample in source.samples() where used < easyVQA {
                let probe = sample.probe
                guard model.checkpoint.answers.contains(probe.expected.text) else {
                    uncovered += 1
                    continue
                }
                used += 1
                let correct = try await Self.answersRight(model, sample)
                let type = probe.lineage.factors["question-type"] ?? "other"
                // Presence questions also by polarity: half of easy-VQA's are negated ("is there
                // not a circle?", "is no circle present?"), a wording the zoo's world never asks.
                let polarity = probe.lineage.factors["negated"].map { "\(type) (\($0 == "yes" ? "negated" : "affirmative"))" }
                for type in ["all", type] + (polarity.map { [$0] } ?? []) {
                    counts[type, default: .init()].total += 1
                    if correct { counts[type, default: .init()].correct += 1 }
                }
            }
            rows += Self.rows(counts, slicePrefix: "easy-VQA test (zero-shot)", model: model)
            print("\(model.key): easy-VQA questions skipped because their answer is outside the vocabulary: \(uncovered)")
        }
        return rows
    }

    /// Slices down, models across: "accuracy (95% CI)".
    static func table(_ rows: [Row], models: [String]) -> String {
        var slices: [String] = []
        for row in rows where !slices.contains(row.slice) { slices.append(row.slice) }
        let header = ["slice"] + models
        var lines = [header]
        for slice in slices {
            lines.append([slice] + models.map { model in
                guard let row = rows.first(where: { $0.slice == slice && $0.model == model }) else { return "–" }
                return String(format: "%.1f%% (%.0f–%.0f) n=%d", 100 * row.accuracy, 100 * row.low, 100 * row.high, row.total)
            })
        }
        let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            line.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

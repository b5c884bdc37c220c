import FaultlineCore
import FaultlineImageIO
import Foundation

/// The OCR suite: rendered text images whose expected answer is the text itself.
///
/// Probe `i` draws every factor uniformly and independently from `levels`, using only the
/// random stream `i` of `seed`, so each probe can be made on its own (`sample(at:)`) and
/// comes out the same however it is reached.
public struct TextProbeSource: ProbeSource {
    public let name = "text-renderer"
    public let count: Int
    public let seed: UInt64
    public let levels: TextFactorLevels
    /// The default 640 px canvas limit, which every size allowed by `TextFactorLevels` fits.
    private let renderer = TextRenderer()

    /// The question every probe asks.
    public static let prompt = "Read the text in the image exactly. Answer with the text only."

    /// - Parameters:
    ///   - count: how many probes `samples()` yields (at least 0).
    ///   - seed: the suite seed; probe ids carry it.
    ///   - levels: the factor levels to draw from.
    public init(count: Int, seed: UInt64, levels: TextFactorLevels = .default) {
        precondition(count >= 0, "TextProbeSource needs count >= 0, got \(count)")
        self.count = count
        self.seed = seed
        self.levels = levels
    }

    public func samples() -> AnySequence<ProbeSample> { samples(from: 0) }

    /// The probes from `start` on, made lazily; probes before `start` are not generated.
    public func samples(from start: Int) -> AnySequence<ProbeSample> {
        lazySamples(from: start, make: sample(at:))
    }

    /// The probe id for index `index`, e.g. `ocr-s42-000017`.
    public func probeID(at index: Int) -> String {
        Probe.generatedID(prefix: "ocr", seed: seed, index: index)
    }

    /// The factors and text of probe `index`, without rendering it.
    public func spec(at index: Int) -> TextProbeSpec {
        precondition(index >= 0, "probe index must be >= 0, got \(index)")
        var generator = SeededGenerator(seed: seed, stream: UInt64(index))
        // The order of draws is part of the suite's definition: changing it changes every probe.
        let font = generator.element(of: levels.fonts)
        let weight = generator.element(of: levels.weights)
        let size = generator.element(of: levels.sizes)
        let rotation = generator.element(of: levels.rotations)
        let contrast = generator.element(of: levels.contrasts)
        let clutter = generator.element(of: levels.clutters)
        let blur = generator.element(of: levels.blurs)
        let noise = generator.element(of: levels.noises)
        let jpegQuality = generator.element(of: levels.jpegQualities)
        let lineCount = generator.element(of: levels.lineCounts)
        let kind = generator.element(of: levels.kinds)
        let renderSeed = generator.next()
        let tokenLines = (0..<lineCount).map { _ in TextContent.line(kind: kind, generator: &generator) }

        var render = TextRenderSpec(
            lines: [], font: font, weight: weight, size: Double(size), rotation: rotation,
            contrast: contrast.luminanceDifference, clutter: clutter, blurSigma: blur, noiseSigma: noise,
            jpegQuality: jpegQuality, seed: renderSeed)
        render.lines = fitted(tokenLines, spec: render, probe: index)
        return TextProbeSpec(
            id: probeID(at: index), index: index, render: render, contrast: contrast, kind: kind)
    }

    /// Renders probe `index`; the same index always gives the same probe and PNG bytes.
    public func sample(at index: Int) -> ProbeSample {
        let spec = spec(at: index)
        let png: Data
        let image: RasterImage
        do {
            image = try renderer.render(spec.render)
            png = try PNGCodec.encode(image)
        } catch {
            // Specs are fitted and validated above, so this is a bug, not bad input.
            preconditionFailure("probe \(spec.id) of \(name) could not be made: \(error)")
        }
        let probe = Probe(
            id: spec.id,
            images: [ImageRef(sha256: SHA256.hex(of: png), width: image.width, height: image.height)],
            prompt: Self.prompt,
            expected: ExpectedAnswer(text: spec.expectedText, format: .freeText),
            ability: .ocr,
            lineage: Lineage(source: name, seed: seed, factors: spec.factors))
        return ProbeSample(probe: probe, imagePNGs: [png])
    }

    /// Shortens lines until the rotated text fits the renderer's canvas limit: the last token
    /// of the widest line is dropped first, and a single token that is still too wide loses
    /// characters from its end.
    private func fitted(_ tokenLines: [[String]], spec: TextRenderSpec, probe index: Int) -> [String] {
        var tokenLines = tokenLines
        var candidate = spec
        while true {
            candidate.lines = tokenLines.map { $0.joined(separator: " ") }
            let layout: TextLayout
            do {
                layout = try renderer.layout(candidate)
            } catch {
                preconditionFailure("probe \(probeID(at: index)) has an invalid spec: \(error)")
            }
            if layout.fits(maxSide: renderer.maxCanvasSide) {
                return candidate.lines
            }
            let widths = layout.lineWidths
            let widest = widths.indices.max(by: { widths[$0] < widths[$1] }) ?? 0
            if tokenLines[widest].count > 1 {
                tokenLines[widest].removeLast()
            } else if tokenLines[widest][0].count > 1 {
                tokenLines[widest][0].removeLast()
            } else {
                preconditionFailure(
                    "probe \(probeID(at: index)): one character at \(spec.size) px does not fit \(renderer.maxCanvasSide) px")
            }
        }
    }
}

/// Everything that defines one OCR probe before rendering.
public struct TextProbeSpec: Codable, Sendable, Hashable {
    public var id: String
    public var index: Int
    public var render: TextRenderSpec
    /// The named contrast level (the render spec holds its luminance difference).
    public var contrast: ContrastLevel
    public var kind: TextKind

    /// The lines joined by single spaces: what a perfect reader answers.
    public var expectedText: String { render.lines.joined(separator: " ") }

    /// The controlled factors as readable categorical levels.
    public var factors: [String: String] {
        [
            "font": render.font.rawValue,
            "weight": render.weight.rawValue,
            "size": "\(Self.number(render.size))px",
            "rotation": "\(Self.number(render.rotation))°",
            "contrast": contrast.rawValue,
            "clutter": render.clutter.rawValue,
            "blur": render.blurSigma == 0 ? "none" : "σ" + String(format: "%.1f", render.blurSigma),
            "noise": render.noiseSigma == 0 ? "none" : "σ" + Self.number(render.noiseSigma),
            "jpeg": render.jpegQuality.map { "q\($0)" } ?? "none",
            "lines": String(render.lines.count),
            "kind": kind.rawValue,
        ]
    }

    /// Whole numbers without a decimal point, others with as few digits as needed.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

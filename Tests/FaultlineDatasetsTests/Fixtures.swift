import FaultlineCore
import FaultlineImageIO
import Foundation

/// A fresh folder under the temporary directory, removed by `remove()`.
struct ScratchFolder {
    let url: URL

    init(_ name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("faultline-datasets-\(safe)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let target = file(name)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target)
        return target
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> URL {
        let target = file(name)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: target)
        return target
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

enum TestImages {
    /// A flat RGB image of one colour.
    static func flat(width: Int = 8, height: Int = 6, red: UInt8, green: UInt8, blue: UInt8) -> RasterImage {
        var pixels: [UInt8] = []
        for _ in 0..<(width * height) { pixels += [red, green, blue] }
        return RasterImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// Seeded noise, which PNG cannot compress: a large image for crossing read chunks.
    static func noise(width: Int, height: Int, seed: UInt64) -> RasterImage {
        var generator = SeededGenerator(seed: seed)
        let pixels = (0..<(width * height * 3)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        return RasterImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    static func png(_ image: RasterImage) throws -> Data { try PNGCodec.encode(image) }
    static func jpeg(_ image: RasterImage) throws -> Data { try JPEGCodec.encode(image, quality: 90) }
}

/// Writes a TSV the way pandas' `to_csv(sep="\t")` does: a field holding a tab, a quote
/// or a line break is quoted, with inner quotes doubled.
enum PandasTSV {
    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "\t" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: "\t") + "\n" }
}

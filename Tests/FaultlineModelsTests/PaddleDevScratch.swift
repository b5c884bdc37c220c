// TEMPORARY development harness; removed before hand-off.
import Testing
import Foundation
import FaultlineCore
import FaultlineImageIO
@testable import FaultlineModels

@Test func paddleDevScratch() throws {
    let home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/faultline/models")
    let model = try PaddleOCRModel(
        directory: home.appendingPathComponent("paddleocr"),
        onnxRuntimeLibrary: home.appendingPathComponent("onnxruntime/libonnxruntime.so.1.32.0"))
    print("fingerprint", model.fingerprint)
    let dir = URL(fileURLWithPath: "/tmp/paddle-dev")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".png") }.sorted()
    for file in files {
        let image = try PNGCodec.decode(try Data(contentsOf: dir.appendingPathComponent(file)))
        _ = try model.pipeline.read(image)
        let start = Date()
        let n = 5
        var reading: PaddleOCRReading?
        for _ in 0..<n { reading = try model.pipeline.read(image) }
        let dt = Date().timeIntervalSince(start) / Double(n)
        let lines = reading!.lines.map { "\($0.text)|\(String(format: "%.4f", $0.score))|\($0.corners.map { "\(Int($0.x)),\(Int($0.y))" }.joined(separator: " "))|\($0.turnedOver)" }
        print("DEV", file, String(format: "%.4f", dt), lines)
    }
}

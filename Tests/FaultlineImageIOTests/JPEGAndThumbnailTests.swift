import FaultlineCore
import Foundation
import Testing

@testable import FaultlineImageIO

private func meanAbsoluteDifference(_ a: RasterImage, _ b: RasterImage) -> Double {
    precondition(a.pixels.count == b.pixels.count)
    let total = zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
    return Double(total) / Double(a.pixels.count)
}

@Suite("JPEG codec")
struct JPEGCodecTests {
    /// Smooth colour gradients with grey, sharp-edged bars: like a photo with some text.
    let image: RasterImage = {
        let width = 96, height = 64
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let bar = (x / 8) % 3 == 0 && (16..<48).contains(y)
                let r = 120 + x, g = 80 + y * 2, b = 200 - x
                pixels += bar ? [30, 30, 30] : [UInt8(r), UInt8(g), UInt8(b)]
            }
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: pixels)
    }()

    @Test("q10 changes pixels clearly, q95 only a little")
    func qualityControlsArtefacts() throws {
        let low = try JPEGCodec.roundTrip(image, quality: 10)
        let high = try JPEGCodec.roundTrip(image, quality: 95)
        #expect(low.width == image.width && low.height == image.height && low.channels == 3)
        let lowError = meanAbsoluteDifference(low, image)
        let highError = meanAbsoluteDifference(high, image)
        #expect(lowError > 4)
        #expect(highError > 0)
        #expect(highError < 3)
        #expect(lowError > 2 * highError)
    }

    @Test("JPEG output is deterministic")
    func deterministic() throws {
        #expect(try JPEGCodec.encode(image, quality: 40) == JPEGCodec.encode(image, quality: 40))
        #expect(try JPEGCodec.roundTrip(image, quality: 40) == JPEGCodec.roundTrip(image, quality: 40))
    }

    @Test("grey and RGBA inputs are accepted")
    func otherChannelCounts() throws {
        let grey = RasterImage(width: 16, height: 8, channels: 1, pixels: (0..<128).map { UInt8($0 * 2) })
        let fromGrey = try JPEGCodec.roundTrip(grey, quality: 90)
        #expect(fromGrey.channels == 3 && fromGrey.width == 16)
        let rgba = RasterImage(width: 2, height: 2, channels: 4, fill: 200)
        #expect(try JPEGCodec.roundTrip(rgba, quality: 90).channels == 3)
    }

    @Test("quality outside 1...100 is an error naming the value", arguments: [0, 101, -5])
    func badQuality(quality: Int) {
        do {
            _ = try JPEGCodec.roundTrip(image, quality: quality)
            Issue.record("quality \(quality) was accepted")
        } catch {
            #expect(error.kind == .invalidArgument)
            #expect(error.message.contains("\(quality)"))
        }
    }

    @Test("truncated, damaged and non-JPEG data are errors, silently")
    func badData() throws {
        let large = RasterImage(width: 256, height: 128, channels: 3, pixels: (0..<(256 * 128 * 3)).map { UInt8(($0 * 7919) % 251) })
        let jpeg = try JPEGCodec.encode(large, quality: 75)
        let inputs = [jpeg.prefix(jpeg.count / 2), jpeg.prefix(100), Data("hello".utf8), Data(), Self.damaged(jpeg)]
        let (errors, printed) = capturingStandardError { inputs.map(decodeError) }
        #expect(errors[0]?.kind == .truncated)
        #expect(errors[0]?.byteOffset == jpeg.count / 2)
        #expect(errors[0]?.message.hasPrefix("JPEG data truncated at byte \(jpeg.count / 2)") == true)
        #expect(errors[1]?.kind == .truncated)
        #expect(errors[1]?.byteOffset == 100)
        #expect(errors[2]?.kind == .badSignature)
        #expect(errors[2]?.message.contains("Not a JPEG file") == true)
        #expect(errors[3]?.kind == .truncated)
        #expect(errors[4]?.kind == .corrupt)
        #expect(errors[4]?.message.hasPrefix("JPEG data corrupt: ") == true)
        expectNothingPrinted(printed)
    }

    /// Puts a restart marker where none belongs, in the middle of the entropy-coded data.
    private static func damaged(_ jpeg: Data) -> Data {
        var bytes = [UInt8](jpeg)
        let middle = bytes.count / 2
        bytes[middle] = 0xFF
        bytes[middle + 1] = 0xD3
        return Data(bytes)
    }

    private func decodeError(_ data: Data) -> ImageCodecError? {
        do {
            _ = try JPEGCodec.decode(data)
            return nil
        } catch {
            return error
        }
    }
}

@Suite("Thumbnails")
struct ThumbnailTests {
    @Test("an image that fits is returned unchanged")
    func fits() {
        let image = sampleRGB(width: 20, height: 10)
        #expect(image.thumbnail(maxSide: 20) == image)
        #expect(image.thumbnail(maxSide: 100) == image)
    }

    @Test("halving averages 2x2 blocks")
    func halves() {
        let grey = RasterImage(width: 4, height: 2, channels: 1, pixels: [0, 10, 100, 200, 20, 30, 50, 50])
        let small = grey.thumbnail(maxSide: 2)
        #expect(small.width == 2 && small.height == 1)
        #expect(small.pixels == [15, 100])
    }

    @Test("a non-integer ratio weights source pixels by the area they cover")
    func fractionalCoverage() {
        // 3 -> 2: each output covers 1.5 source pixels.
        let grey = RasterImage(width: 3, height: 1, channels: 1, pixels: [0, 90, 180])
        let small = grey.thumbnail(maxSide: 2)
        #expect(small.width == 2 && small.height == 1)
        // (0 * 1 + 90 * 0.5) / 1.5 = 30; (90 * 0.5 + 180 * 1) / 1.5 = 150
        #expect(small.pixels == [30, 150])
    }

    @Test("aspect ratio and channel count are kept; a flat image stays flat")
    func aspect() {
        let flat = RasterImage(width: 640, height: 200, channels: 3, fill: 77)
        let small = flat.thumbnail(maxSide: 128)
        #expect(small.width == 128 && small.height == 40 && small.channels == 3)
        #expect(small.pixels.allSatisfy { $0 == 77 })
    }
}

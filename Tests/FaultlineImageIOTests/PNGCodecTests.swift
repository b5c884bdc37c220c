import FaultlineCore
import Foundation
import Testing

@testable import FaultlineImageIO

/// A small RGB image with gradients and hard edges, different in every channel.
func sampleRGB(width: Int = 37, height: Int = 23) -> RasterImage {
    var pixels: [UInt8] = []
    for y in 0..<height {
        for x in 0..<width {
            let edge: UInt8 = (x / 6 + y / 5) % 2 == 0 ? 0 : 90
            pixels += [UInt8((x * 255) / max(1, width - 1)), UInt8((y * 255) / max(1, height - 1)), edge &+ UInt8(x + y)]
        }
    }
    return RasterImage(width: width, height: height, channels: 3, pixels: pixels)
}

@Suite("PNG codec")
struct PNGCodecTests {
    @Test("RGB pixels survive an encode/decode round trip exactly")
    func rgbRoundTrip() throws {
        let image = sampleRGB()
        let decoded = try PNGCodec.decode(PNGCodec.encode(image))
        #expect(decoded == image)
    }

    @Test("grey is decoded as RGB with the grey value in every channel")
    func greyRoundTrip() throws {
        let grey = RasterImage(width: 5, height: 3, channels: 1, pixels: (0..<15).map { UInt8($0 * 17) })
        let decoded = try PNGCodec.decode(PNGCodec.encode(grey))
        #expect(decoded == grey.rgb())
    }

    @Test("alpha is composited over white")
    func alphaOverWhite() throws {
        let rgba = RasterImage(
            width: 3, height: 1, channels: 4,
            pixels: [10, 20, 30, 255, 10, 20, 30, 0, 0, 0, 0, 128])
        let decoded = try PNGCodec.decode(PNGCodec.encode(rgba))
        // 0 * 128/255 + 255 * 127/255 = 127
        #expect(decoded.pixels == [10, 20, 30, 255, 255, 255, 127, 127, 127])
    }

    @Test("encoding is byte-identical for the same pixels and writes no time or text chunks")
    func deterministicEncoding() throws {
        let image = sampleRGB(width: 64, height: 40)
        let first = try PNGCodec.encode(image)
        let second = try PNGCodec.encode(image)
        #expect(first == second)
        #expect(PNGFixture.chunkTypes(of: first) == ["IHDR", "IDAT", "IEND"])
        var changed = image
        changed.pixels[100] ^= 1
        #expect(try PNGCodec.encode(changed) != first)
    }

    @Test("palette PNGs expand to their palette colours, with tRNS composited over white")
    func palette() throws {
        let plte = PNGFixture.Chunk(type: "PLTE", payload: [255, 0, 0, 0, 255, 0, 0, 0, 255])
        let trns = PNGFixture.Chunk(type: "tRNS", payload: [255, 255, 0])  // index 2 fully transparent
        let data = PNGFixture.make(
            width: 3, height: 2, bitDepth: 8, colorType: 3, rows: [[0, 1, 2], [2, 1, 0]], extra: [plte, trns])
        let decoded = try PNGCodec.decode(data)
        #expect(decoded.channels == 3)
        #expect(decoded.pixels == [255, 0, 0, 0, 255, 0, 255, 255, 255, 255, 255, 255, 0, 255, 0, 255, 0, 0])
    }

    @Test("1-bit grey expands to 0 and 255")
    func oneBitGrey() throws {
        // 10 pixels: 1010110011 then padding
        let data = PNGFixture.make(width: 10, height: 1, bitDepth: 1, colorType: 0, rows: [[0b1010_1100, 0b1100_0000]])
        let decoded = try PNGCodec.decode(data)
        let firstChannel = stride(from: 0, to: decoded.pixels.count, by: 3).map { decoded.pixels[$0] }
        #expect(firstChannel == [255, 0, 255, 0, 255, 255, 0, 0, 255, 255])
    }

    @Test("16-bit RGB is scaled to 8 bits")
    func sixteenBit() throws {
        let row: [UInt8] = [0xFF, 0xFF, 0x80, 0x80, 0x00, 0x00, 0x12, 0x34, 0xAB, 0xCD, 0x00, 0xFF]
        let data = PNGFixture.make(width: 2, height: 1, bitDepth: 16, colorType: 2, rows: [row])
        let decoded = try PNGCodec.decode(data)
        // png_set_scale_16 rounds v16 * 255 / 65535.
        #expect(decoded.pixels == [255, 128, 0, 18, 171, 1])
    }

    @Test("Adam7-interlaced PNGs are de-interlaced")
    func interlaced() throws {
        // 2x2 grey: pass 1 holds (0,0), pass 6 holds (1,0), pass 7 holds row 1; passes 2–5 are empty.
        let data = PNGFixture.make(
            width: 2, height: 2, bitDepth: 8, colorType: 0, rows: [[10], [20], [30, 40]], interlaced: true)
        let decoded = try PNGCodec.decode(data)
        let firstChannel = stride(from: 0, to: decoded.pixels.count, by: 3).map { decoded.pixels[$0] }
        #expect(firstChannel == [10, 20, 30, 40])
    }

    @Test("16-bit grey with alpha is scaled and composited")
    func sixteenBitGreyAlpha() throws {
        let row: [UInt8] = [0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00]
        let data = PNGFixture.make(width: 2, height: 1, bitDepth: 16, colorType: 4, rows: [row])
        let decoded = try PNGCodec.decode(data)
        #expect(decoded.pixels == [0, 0, 0, 255, 255, 255])
    }

    @Test("a file that is not a PNG is rejected for its signature, silently")
    func badSignature() throws {
        let gif = Data("GIF89a\u{01}\u{00}\u{01}\u{00}".utf8)
        let (error, printed) = capturingStandardError { decodeError(gif) }
        #expect(error?.kind == .badSignature)
        #expect(error?.message.contains("not a PNG file (bad signature)") == true)
        #expect(error?.description.hasPrefix("PNG decode failed: not a PNG file") == true)
        expectNothingPrinted(printed)
    }

    @Test("a PNG whose image data fails its checksum throws the decoder's message, silently")
    func badChecksum() throws {
        let encoded = try PNGCodec.encode(sampleRGB())
        var bytes = [UInt8](encoded)
        let idat = try #require(PNGFixture.payloadOffset(of: "IDAT", in: encoded))
        let length = Int(bytes[idat - 8]) << 24 | Int(bytes[idat - 7]) << 16 | Int(bytes[idat - 6]) << 8 | Int(bytes[idat - 5])
        bytes[idat + length] ^= 0x5A  // first byte of the IDAT CRC
        let (error, printed) = capturingStandardError { decodeError(Data(bytes)) }
        let found = try #require(error)
        #expect(found.kind == .corrupt)
        #expect(found.message == "IDAT: CRC error")
        expectNothingPrinted(printed)
    }

    @Test("damaged compressed image data throws the decoder's message, silently")
    func corruptCompressedData() throws {
        var bytes = [UInt8](try PNGCodec.encode(sampleRGB()))
        let idat = try #require(PNGFixture.payloadOffset(of: "IDAT", in: Data(bytes)))
        bytes[idat + 5] ^= 0x5A
        let fixed = Self.recomputeCRC(Data(bytes), chunkAt: idat - 8)
        let (error, printed) = capturingStandardError { decodeError(fixed) }
        let found = try #require(error)
        #expect(found.kind == .corrupt)
        #expect(found.message.hasPrefix("IDAT: "))
        expectNothingPrinted(printed)
    }

    @Test("a stored deflate block with a broken length check is an error")
    func corruptStoredBlock() throws {
        var data = [UInt8](PNGFixture.make(width: 2, height: 1, bitDepth: 8, colorType: 0, rows: [[1, 2]]))
        let idat = try #require(PNGFixture.payloadOffset(of: "IDAT", in: Data(data)))
        data[idat + 5] ^= 0xFF  // NLEN no longer complements LEN
        let fixed = Self.recomputeCRC(Data(data), chunkAt: idat - 8)
        let error = try #require(decodeError(fixed))
        #expect(error.kind == .corrupt)
    }

    @Test("a truncated PNG says at which byte it ends, silently", arguments: [5, 20, 33, 60, -10])
    func truncated(cut: Int) throws {
        let full = try PNGCodec.encode(sampleRGB())
        let length = cut > 0 ? cut : full.count + cut
        let (error, printed) = capturingStandardError { decodeError(full.prefix(length)) }
        let found = try #require(error)
        #expect(found.kind == .truncated)
        #expect(found.byteOffset == length)
        #expect(found.message.contains("PNG data truncated at byte \(length)"))
        expectNothingPrinted(printed)
    }

    @Test("empty input is an error")
    func empty() {
        #expect(decodeError(Data())?.kind == .truncated)
    }

    @Test("encoding an unsupported channel count is an error, not a crash")
    func badChannels() {
        let image = RasterImage(width: 2, height: 2, channels: 5, fill: 0)
        #expect(throws: ImageCodecError.self) { try PNGCodec.encode(image) }
        do {
            _ = try PNGCodec.encode(image)
        } catch {
            #expect(error.kind == .invalidArgument)
            #expect(error.operation == .encode)
        }
    }

    private func decodeError(_ data: Data) -> ImageCodecError? {
        do {
            _ = try PNGCodec.decode(data)
            return nil
        } catch {
            return error
        }
    }

    private static func recomputeCRC(_ data: Data, chunkAt start: Int) -> Data {
        var bytes = [UInt8](data)
        let length = Int(bytes[start]) << 24 | Int(bytes[start + 1]) << 16 | Int(bytes[start + 2]) << 8 | Int(bytes[start + 3])
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes[(start + 4)..<(start + 8 + length)] {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc = ~crc
        let at = start + 8 + length
        bytes[at] = UInt8(crc >> 24)
        bytes[at + 1] = UInt8((crc >> 16) & 0xFF)
        bytes[at + 2] = UInt8((crc >> 8) & 0xFF)
        bytes[at + 3] = UInt8(crc & 0xFF)
        return Data(bytes)
    }
}

@Suite("Standard error capture")
struct StandardErrorCaptureTests {
    @Test("the capture used by the silence checks does see what C code writes to fd 2")
    func captureWorks() {
        let (_, printed) = capturingStandardError {
            let text = "libpng error: a message the capture must see\n"
            _ = text.withCString { write(2, $0, strlen($0)) }
        }
        #expect(printed.contains("libpng error: a message the capture must see"))
    }
}

import FaultlineCore
import FaultlineImageIO
import Foundation

/// Images addressed by the SHA-256 of their PNG bytes, stored as `ab/cdef….png`.
public struct ImageStore: Sendable {
    public let directory: URL

    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The file an image lives in.
    public func url(for sha256: String) -> URL {
        directory.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true)
            .appendingPathComponent("\(sha256).png")
    }

    /// Stores PNG bytes under their hash (a no-op when already present) and returns the hash.
    @discardableResult
    public func put(_ png: Data) throws -> String {
        let sha = SHA256.hex(of: png)
        let target = url(for: sha)
        if FileManager.default.fileExists(atPath: target.path) { return sha }
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Write then rename, so a kill never leaves a half-written image under its final name.
        let temporary = target.appendingPathExtension("tmp-\(getpid())")
        try png.write(to: temporary)
        _ = try? FileManager.default.removeItem(at: target)
        try FileManager.default.moveItem(at: temporary, to: target)
        return sha
    }

    /// The PNG bytes of an image.
    public func data(for sha256: String) throws -> Data {
        let file = url(for: sha256)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw StoreError("image \(sha256) is missing from \(file.path); re-run the suite to regenerate it")
        }
        return data
    }

    /// The decoded image; a corrupt file gives an error naming it.
    public func image(for ref: ImageRef) throws -> RasterImage {
        let data = try data(for: ref.sha256)
        do {
            return try PNGCodec.decode(data)
        } catch {
            throw StoreError("image \(url(for: ref.sha256).path) cannot be decoded: \(error)")
        }
    }
}

import CTesseract
import FaultlineCore
import Foundation

/// One libtesseract engine (`TessBaseAPI`) with its language model loaded.
///
/// A `TessBaseAPI` keeps the current image and results in itself, so it must never be used
/// by two threads at once. `@unchecked Sendable` is sound only because instances are handed
/// out by `TesseractHandlePool`, which gives each request exclusive use of one handle.
final class TesseractHandle: @unchecked Sendable {
    private let api: OpaquePointer

    /// Creates an engine and loads `language` from `dataPath` with the LSTM recogniser.
    ///
    /// The caller has checked that the traineddata files exist, so a failure here means
    /// libtesseract rejected them.
    init(dataPath: String, language: String, pageSegMode: TesseractModel.PageSegmentationMode) throws {
        guard let api = TessBaseAPICreate() else {
            throw TesseractError.initialisationFailed(dataPath: dataPath, language: language, status: -1)
        }
        // libtesseract prints warnings ("Empty page!!", "Error opening data file") to stderr
        // through tprintf unless its global `debug_file` names another file. A library must stay
        // quiet, and every failure it reports is turned into an error value here anyway. Set
        // before Init so that messages while loading the model are silenced too.
        TessBaseAPISetVariable(api, "debug_file", "/dev/null")
        let status = TessBaseAPIInit2(api, dataPath, language, OEM_LSTM_ONLY)
        guard status == 0 else {
            TessBaseAPIDelete(api)
            throw TesseractError.initialisationFailed(dataPath: dataPath, language: language, status: status)
        }
        TessBaseAPISetPageSegMode(api, TessPageSegMode(rawValue: UInt32(pageSegMode.rawValue)))
        self.api = api
    }

    deinit {
        TessBaseAPIEnd(api)
        TessBaseAPIDelete(api)
    }

    /// Recognises the text in `image` (1 grey or 3 RGB channels) and returns it as libtesseract
    /// wrote it (lines separated by newlines), or nil if libtesseract returned no buffer.
    func recognise(_ image: RasterImage) -> String? {
        precondition(image.channels == 1 || image.channels == 3, "caller converts to grey or RGB")
        // Must run on the thread that calls GetUTF8Text: the OpenMP setting is per thread, and
        // nothing between here and the recognition below can suspend.
        OpenMPThreadLimit.restrictCurrentThread()
        image.pixels.withUnsafeBufferPointer { buffer in
            // SetImage copies the pixels, so the buffer need not outlive this closure.
            TessBaseAPISetImage(
                api, buffer.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                Int32(image.width * image.channels))
        }
        defer { TessBaseAPIClear(api) }
        guard let text = TessBaseAPIGetUTF8Text(api) else { return nil }
        defer { TessDeleteText(text) }
        return String(cString: text)
    }
}

/// A fixed set of Tesseract engines; each request borrows one for its exclusive use and
/// waits (without blocking a thread) while all are busy.
actor TesseractHandlePool {
    private var idle: [TesseractHandle]
    private var waiting: [CheckedContinuation<TesseractHandle, Never>] = []

    init(handles: [TesseractHandle]) {
        precondition(!handles.isEmpty, "a pool needs at least one handle")
        idle = handles
    }

    /// Runs `body` with a handle no other task is using, then returns the handle to the pool.
    ///
    /// `body` runs outside the actor, so several handles recognise in parallel; only the
    /// borrowing and returning are serialised.
    nonisolated func withHandle<Value: Sendable>(
        _ body: (TesseractHandle) throws -> Value
    ) async throws -> Value {
        let handle = await acquire()
        let result = Result { try body(handle) }
        await release(handle)
        return try result.get()
    }

    private func acquire() async -> TesseractHandle {
        if let handle = idle.popLast() { return handle }
        return await withCheckedContinuation { waiting.append($0) }
    }

    private func release(_ handle: TesseractHandle) {
        if waiting.isEmpty {
            idle.append(handle)
        } else {
            waiting.removeFirst().resume(returning: handle)
        }
    }
}

import FaultlineCore
import FaultlineZoo
import Foundation

extension BackendRegistry {
    /// Registers `zoo:NAME`: a shipped zoo model (`zoo:reference-a`, `zoo:reference-b`,
    /// `zoo:target`), or any checkpoint written by `faultline zoo train` through
    /// `zoo:NAME?weights=PATH`.
    mutating func registerZoo() {
        register(
            "zoo:*",
            summary: "Faultline's own small vision-language models trained on the scene engine: "
                + ZooCatalog.names.map { "zoo:\($0)" }.joined(separator: ", ")
                + " (target has planted defects); options: weights=PATH (a checkpoint from `faultline zoo train`), "
                + "reader=PATH|none (the text reader; default: NAME.reader.safetensors beside the weights), concurrency=N"
        ) { spec, _ in
            let name = String(spec.name.dropFirst("zoo:".count))
            let concurrency = max(1, try spec.int("concurrency", default: 2))
            let reader: ZooModel.ReaderSource
            switch spec.options["reader"] {
            case nil: reader = .besideWeights
            case "none": reader = .none
            case let path?: reader = .file(URL(fileURLWithPath: NSString(string: path).expandingTildeInPath))
            }
            if let path = spec.options["weights"] {
                let expanded = NSString(string: path).expandingTildeInPath
                return try ZooModel(
                    key: spec.raw, weights: URL(fileURLWithPath: expanded), reader: reader, maxConcurrentRequests: concurrency)
            }
            guard ZooCatalog.names.contains(name) else {
                throw BackendError(
                    "unknown zoo model '\(name)'; the shipped ones are \(ZooCatalog.names.joined(separator: ", ")), "
                        + "and any checkpoint loads with zoo:NAME?weights=PATH")
            }
            guard let url = ZooCatalog.weightsURL(named: name) else {
                throw BackendError(
                    "zoo:\(name) has no weights in this build; train them with `faultline zoo train --config \(name)`")
            }
            // A non-default reader is part of what is audited, so the key keeps the options.
            return try ZooModel(
                key: reader == .besideWeights ? spec.name : spec.raw, weights: url, reader: reader,
                maxConcurrentRequests: concurrency)
        }
    }
}

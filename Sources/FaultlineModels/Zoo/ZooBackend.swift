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
                + " (target has planted defects); options: weights=PATH (a checkpoint from `faultline zoo train`), concurrency=N"
        ) { spec, _ in
            let name = String(spec.name.dropFirst("zoo:".count))
            let concurrency = max(1, try spec.int("concurrency", default: 2))
            if let path = spec.options["weights"] {
                let expanded = NSString(string: path).expandingTildeInPath
                return try ZooModel(key: spec.raw, weights: URL(fileURLWithPath: expanded), maxConcurrentRequests: concurrency)
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
            return try ZooModel(key: spec.name, weights: url, maxConcurrentRequests: concurrency)
        }
    }
}

import ArgumentParser
import FaultlineModels
import Foundation

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the backends Faultline knows, and check that each one loads.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let environment = BackendEnvironment(logger: store.makeLogger())
        for entry in BackendRegistry.standard.entries {
            var status = ""
            if !entry.pattern.hasSuffix("*") {
                do {
                    let model = try BackendRegistry.standard.make(entry.pattern, environment: environment)
                    status = "ready  fingerprint \(model.fingerprint)"
                } catch {
                    status = "NOT READY: \(error)"
                }
            }
            print(entry.pattern.padding(toLength: 16, withPad: " ", startingAt: 0) + " " + entry.summary)
            if !status.isEmpty { print(String(repeating: " ", count: 17) + status) }
        }
    }
}

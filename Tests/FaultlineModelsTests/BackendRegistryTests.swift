import FaultlineCore
import FaultlineModels
import Foundation
import Testing

@Suite struct BackendRegistryTests {
    @Test func specsParseFamilyNameAndOptions() throws {
        let spec = BackendSpec("double:echo?delay=0.5&log=/tmp/x")
        #expect(spec.family == "double")
        #expect(spec.name == "double:echo")
        #expect(spec.options == ["delay": "0.5", "log": "/tmp/x"])
        #expect(try spec.double("delay", default: 0) == 0.5)
        #expect(throws: BackendError.self) { try BackendSpec("double:echo?delay=soon").double("delay", default: 0) }
    }

    @Test func anUnknownKeyListsTheKnownOnesAndSuggestsTheNearest() {
        do {
            _ = try BackendRegistry.standard.make("ocr:tesserakt", environment: BackendEnvironment())
            Issue.record("an unknown key was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("unknown backend 'ocr:tesserakt'"))
            #expect(message.contains("ocr:paddle"))
            #expect(message.contains("Did you mean 'ocr:tesseract'?"))
        }
    }

    @Test func familiesReachTheirFactory() throws {
        let model = try BackendRegistry.standard.make("double:echo?concurrency=5", environment: BackendEnvironment())
        #expect(model.key == "double:echo")
        #expect(model.maxConcurrentRequests == 5)
        #expect(throws: BackendError.self) {
            try BackendRegistry.standard.make("double:nothing", environment: BackendEnvironment())
        }
    }

    @Test func missingModelFilesNameTheFileAndTheFix() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-empty-\(UUID().uuidString)")
        let environment = BackendEnvironment(modelsDirectory: empty)
        do {
            _ = try BackendRegistry.standard.make("ocr:paddle", environment: environment)
            Issue.record("ocr:paddle loaded without its files")
        } catch {
            #expect("\(error)".contains(empty.path))
            #expect("\(error)".contains("make setup"))
        }
    }
}

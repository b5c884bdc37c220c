import AsyncHTTPClient
import FaultlineCore
import FaultlineModels
import Foundation
import Testing

@Suite struct OpenAILanguageModelTests {
    @Test func templatesListTheirPlaceholdersAndRefuseMissingValues() throws {
        #expect(PromptTemplate.nameFailureGroup.placeholders == ["examples", "model"])
        #expect(PromptTemplate.proposeQuestions.placeholders == ["count", "finding"])
        let error = try #require(throws: PromptTemplateError.self) {
            try PromptTemplate.proposeQuestions.render(["finding": "fails on rotated text"])
        }
        #expect(error.description == "prompt template 'propose-questions' needs values for: count")
        let rendered = try PromptTemplate.proposeQuestions.render(["finding": "fails on rotated text", "count": "3"])
        #expect(rendered.user.contains("Finding: fails on rotated text"))
        #expect(rendered.user.contains("Write 3 new questions"))
        #expect(!rendered.user.contains("{{"))
    }

    @Test func aTaskIsSentAsASystemAndAUserMessage() async throws {
        let server = ScriptedOpenAIServer([
            .reply(status: 200, headers: [], body: OpenAIFixtures.chat("Name: rotated text"))
        ])
        try await server.start()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let client = try OpenAIClient(spec: try OpenAISpec("openai:\(server.baseURL)#helper"), httpClient: http)
            let helper = OpenAILanguageModel(client: client)
            let answer = try await helper.complete(
                .nameFailureGroup, values: ["model": "ocr:tesseract", "examples": "expected \"cat\", read \"c at\""])
            #expect(answer == "Name: rotated text")
            let body = try #require(server.received.first?.body)
            let request = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let messages = try #require(request["messages"] as? [[String: Any]])
            #expect(messages.map { $0["role"] as? String } == ["system", "user"])
            #expect(body.contains("Model: ocr:tesseract"))
            #expect(helper.key == "openai:\(server.baseURL)#helper")
        } catch {
            try? await http.shutdown()
            try? await server.stop()
            throw error
        }
        try await http.shutdown()
        try await server.stop()
    }
}

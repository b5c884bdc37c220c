import FaultlineCore
import Foundation

/// An OpenAI-compatible endpoint as Faultline's helper `LanguageModel`.
public struct OpenAILanguageModel: LanguageModel {
    public let client: OpenAIClient

    public init(client: OpenAIClient) { self.client = client }

    public var key: String { client.spec.key }

    public func complete(system: String?, user: String, parameters: DecodingParameters) async throws -> String {
        let completion = try await client.chatCompletion(
            ChatCompletionRequest(
                prompt: user, temperature: parameters.temperature, maxTokens: parameters.maxTokens,
                seed: parameters.seed, system: system))
        return completion.text
    }

    /// Renders a task's template and completes it.
    public func complete(
        _ template: PromptTemplate, values: [String: String], parameters: DecodingParameters = DecodingParameters()
    ) async throws -> String {
        let prompt = try template.render(values)
        return try await complete(system: prompt.system, user: prompt.user, parameters: parameters)
    }
}

import FaultlineModels

/// Canned bodies in the shapes the OpenAI API documents.
enum OpenAIFixtures {
    /// A chat completion answering `text`; with `alternatives`, the first token carries them
    /// as `top_logprobs`.
    static func chat(_ text: String, alternatives: [(String, Double)]? = nil, model: String = "test-model") -> String {
        ScriptedOpenAIServer.chatCompletionBody(text, alternatives: alternatives, model: model)
    }

    static let ok = ScriptedOpenAIServer.Action.reply(status: 200, headers: [], body: chat("hello"))
    static func status(_ code: Int, retryAfter: String? = nil) -> ScriptedOpenAIServer.Action {
        .reply(
            status: code, headers: retryAfter.map { [("Retry-After", $0)] } ?? [],
            body: "{\"error\":{\"message\":\"scripted \(code)\"}}")
    }
}
